import { readFileSync } from "node:fs";
import { SpecError, type SpecProblem } from "../../src/errors";
import { parseSpec } from "../../src/spec/load";

const VALID = `name: demo
provider: aws
region: us-east-1
scheduler:
  instance_type: m7i.large
workers:
  count: 2
  min_vcpus: 4
network:
  allowed_cidrs: [203.0.113.10/32]
`;

function problems(text: string): SpecProblem[] {
  try {
    parseSpec(text, "spec.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).problems;
  }
  throw new Error("expected a SpecError");
}

const only = (text: string) => {
  const found = problems(text);
  expect(found).toHaveLength(1);
  return found[0];
};

describe("spec validation", () => {
  it("accepts the example spec and fills defaults", () => {
    const { spec, warnings } = parseSpec(readFileSync("cluster.example.yaml", "utf8"), "cluster.example.yaml");
    expect(spec.name).toBe("dask-demo");
    expect(warnings).toEqual([]);
    const { spec: minimal } = parseSpec(VALID, "s.yaml");
    expect(minimal).toMatchObject({
      arch: "x86_64",
      image: "ubuntu-24.04",
      disk_gib: 50,
      security: true,
      workers: { spot: false },
    });
  });

  it("reports YAML syntax errors with their position", () => {
    const p = problems("name: demo\nworkers: [1, 2\n")[0];
    expect(p).toMatchObject({ file: "spec.yaml", line: expect.any(Number) });
    expect(p.message).toMatch(/^YAML:/);
  });

  it("reports a wrong type with line, column and path", () => {
    expect(only(VALID.replace("count: 2", "count: two"))).toMatchObject({ line: 7, column: 10, path: "workers.count" });
  });

  it("reports an unknown key at the key, with a did-you-mean", () => {
    const p = only(VALID.replace("  min_vcpus: 4", "  min_vcpus: 4\n  min_memroy_gib: 8"));
    expect(p).toMatchObject({ line: 9, column: 3, path: "workers.min_memroy_gib" });
    expect(p.message).toContain('did you mean "min_memory_gib"');
  });

  it("reports a missing field at its parent", () => {
    expect(only(VALID.replace("region: us-east-1\n", ""))).toMatchObject({ path: "region", message: "is required" });
    expect(only(VALID.replace("  min_vcpus: 4\n", ""))).toMatchObject({ path: "workers", line: 7 });
  });

  it("reports an out-of-range worker count", () => {
    expect(only(VALID.replace("count: 2", "count: 10001"))).toMatchObject({ path: "workers.count", line: 7 });
    expect(only(VALID.replace("count: 2", "count: -1"))).toMatchObject({ path: "workers.count" });
    expect(() => parseSpec(VALID.replace("count: 2", "count: 10000"), "s")).not.toThrow();
    expect(() => parseSpec(VALID.replace("count: 2", "count: 0"), "s")).not.toThrow();
  });

  it("reports an invalid cluster name", () => {
    for (const name of ["Demo", "1demo", "de_mo", "a".repeat(41)]) {
      expect(only(VALID.replace("name: demo", `name: ${name}`))).toMatchObject({ path: "name", line: 1, column: 7 });
    }
  });

  it("reports a CIDR that is not a CIDR, and warns about 0.0.0.0/0", () => {
    for (const bad of ["203.0.113.10/33", "203.0.113.300/32", "example.com/8", "10.0.0.1"]) {
      expect(only(VALID.replace("203.0.113.10/32", bad))).toMatchObject({ path: "network.allowed_cidrs[0]", line: 10 });
    }
    const { warnings } = parseSpec(VALID.replace("203.0.113.10/32", "0.0.0.0/0"), "s.yaml");
    expect(warnings).toEqual([expect.stringContaining("whole internet")]);
    const gcp = VALID.replace("provider: aws", "provider: gcp\ngcp: {project: p}")
      .replace("us-east-1", "us-central1")
      .replace("m7i.large", "n2-standard-2");
    expect(() => parseSpec(gcp.replace("203.0.113.10/32", "2001:db8::/32"), "s")).not.toThrow();
  });

  it("reports a region unknown to the provider, with a suggestion", () => {
    const p = only(VALID.replace("us-east-1", "us-east-9"));
    expect(p).toMatchObject({ path: "region", line: 3, column: 9 });
    expect(p.message).toContain('did you mean "us-east-1"');
    expect(only(VALID.replace("provider: aws", "provider: gcp\ngcp: {project: p}"))).toMatchObject({ path: "region" });
  });

  it("reports an explicit type unknown in the region", () => {
    const p = only(VALID.replace("m7i.large", "m7i.larg"));
    expect(p).toMatchObject({ path: "scheduler.instance_type", line: 5 });
    expect(p.message).toContain('did you mean "m7i.large"');
  });

  it("reports a provider that is not one of the three", () => {
    const p = only(VALID.replace("provider: aws", "provider: aws2"));
    expect(p.message).toMatch(/aws \| gcp \| azure/);
  });

  it("requires the provider block of its provider only", () => {
    const gcp = VALID.replace("provider: aws", "provider: gcp")
      .replace("us-east-1", "us-central1")
      .replace("m7i.large", "n2-standard-2");
    expect(only(gcp).message).toContain("gcp block");
    expect(() => parseSpec(`${gcp}gcp: {project: demo}\n`, "s")).not.toThrow();
  });

  it("collects every problem, not only the first, in source order", () => {
    const text = VALID.replace("name: demo", "name: Demo")
      .replace("count: 2", "count: 99999")
      .replace("203.0.113.10/32", "nope");
    expect(problems(text).map((p) => p.path)).toEqual(["name", "workers.count", "network.allowed_cidrs[0]"]);
  });
});
