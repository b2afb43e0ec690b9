// Reserved tag keys are rejected at validation with file:line:column and the field path, before any cloud call.
import { SpecError, type SpecProblem } from "../../src/errors";
import { parseSpec } from "../../src/spec/load";

const spec = (provider: string, tags: string) => `name: demo
provider: ${provider}
region: ${{ aws: "us-east-1", gcp: "us-central1", azure: "eastus" }[provider]}
${provider === "gcp" ? "gcp: {project: p}\n" : provider === "azure" ? "azure: {resource_group: rg, subscription_id: s}\n" : ""}scheduler:
  min_vcpus: 2
workers:
  count: 2
  min_vcpus: 2
network:
  allowed_cidrs: [203.0.113.10/32]
tags:
${tags}`;

/** The tag problems (other rules, e.g. Azure's SSH key, are not this file's subject). */
function problems(text: string): SpecProblem[] {
  try {
    parseSpec(text, "spec.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).problems.filter((p) => p.path.startsWith("tags"));
  }
  throw new Error("expected a SpecError");
}

describe("reserved tag keys", () => {
  it.each(["aws", "gcp", "azure"])(
    "%s: a cloudlaunch- key is rejected with its line, whatever its case",
    (provider) => {
      const found = problems(spec(provider, "  project: demo\n  cloudlaunch-node: x\n  CloudLaunch-Cluster: other\n"));
      expect(found.map((p) => [p.path, p.file])).toEqual([
        ["tags.cloudlaunch-node", "spec.yaml"],
        ["tags.CloudLaunch-Cluster", "spec.yaml"],
      ]);
      const lines = spec(provider, "  project: demo\n  cloudlaunch-node: x\n").split("\n");
      expect(lines[found[0].line - 1]).toContain("cloudlaunch-node");
      expect(found[0].message).toMatch(/reserved for cloudlaunch/);
    },
  );

  it("aws: the aws: prefix (keys and values) and Name are rejected", () => {
    const found = problems(spec("aws", "  aws:cloudformation:stack: x\n  team: AWS:thing\n  Name: mine\n"));
    expect(found.map((p) => p.path)).toEqual(["tags.aws:cloudformation:stack", "tags.team", "tags.Name"]);
    expect(found[0].message).toMatch(/reserved by AWS/);
  });

  it("azure: names starting with microsoft, azure or windows, or holding < > % & \\ ? /, are rejected", () => {
    const found = problems(
      spec("azure", "  MicrosoftThing: x\n  azure-team: y\n  windowsVersion: z\n  a/b: w\n  fine: ok\n"),
    );
    expect(found.map((p) => p.path)).toEqual([
      "tags.MicrosoftThing",
      "tags.azure-team",
      "tags.windowsVersion",
      "tags.a/b",
    ]);
  });

  it("gcp: keys that would become one label are rejected; keys rewritten to fit label rules are a warning", () => {
    const found = problems(spec("gcp", "  Team: a\n  team: b\n"));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: "tags.team", message: expect.stringMatching(/same GCP label key "team"/) });
    const { warnings } = parseSpec(spec("gcp", "  Team: Data\n"), "spec.yaml");
    expect(warnings.join("\n")).toMatch(/tags.Team.*stored rewritten/);
  });

  it("too many tags for the cloud once cloudlaunch's own are added", () => {
    const many = Array.from({ length: 46 }, (_, i) => `  t${i}: v\n`).join("");
    expect(problems(spec("aws", many)).map((p) => p.path)).toEqual(["tags"]);
  });
});
