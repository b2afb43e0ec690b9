// compare, end to end: offline, no SDK loaded, ranked JSON, filters, usage errors.
import { join } from "node:path";
import { cli, ROOT } from "../support/cli";

describe("compare", () => {
  it("ranks the example on the chosen clouds and regions without loading an SDK", async () => {
    const r = await cli(
      ["compare", "cluster.example.yaml", "--providers", "aws,gcp", "--regions", "us-east-1,us-central1,eu-west-1"],
      {
        nodeArgs: ["-r", join(ROOT, "test/support/record-requires.js")],
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("SDK-MODULES-LOADED: 0");
    expect(r.stdout).toMatch(/1 scheduler \+ 4 workers in 3 cloud regions/);
    expect(r.stdout).toMatch(/│ 1 │ gcp\s+│ us-central1/);
    const json = JSON.parse(
      (await cli(["--json", "compare", "cluster.example.yaml", "--regions", "us-east-1,us-central1,eastus"])).stdout,
    );
    expect(json.ranked.map((x: { provider: string }) => x.provider).sort()).toEqual(["aws", "azure", "gcp"]);
    expect(json.ranked.map((x: { rank: number }) => x.rank)).toEqual([1, 2, 3]);
    const aws = json.ranked.find((x: { provider: string }) => x.provider === "aws");
    expect(aws.scheduler.instance_type).toBe("m7i.large");
    expect(aws.worker.count).toBe(4);
  });

  it("unknown clouds or regions are usage errors (exit 2)", async () => {
    expect((await cli(["compare", "cluster.example.yaml", "--providers", "ibm"])).code).toBe(2);
    const r = await cli(["compare", "cluster.example.yaml", "--providers", "gcp", "--regions", "us-east-1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("us-east-1 not in the catalog of gcp");
  });
});
