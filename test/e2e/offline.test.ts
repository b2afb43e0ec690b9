// The offline half, end to end: the built CLI, spawned with no credentials and no network.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanHome, cli, ROOT } from "../support/cli";

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);

describe("cloudlaunch, offline", () => {
  it("--help lists the commands without loading any cloud SDK", async () => {
    const r = await cli(["--help"], { nodeArgs: ["-r", join(ROOT, "test/support/record-requires.js")] });
    expect(r.code).toBe(0);
    for (const verb of ["up", "status", "stop", "start", "terminate"]) expect(r.stdout).toContain(verb);
    expect(r.stderr).toContain("SDK-MODULES-LOADED: 0");
    for (const verb of ["up", "status", "stop", "start", "terminate"])
      expect((await cli([verb, "--help"])).code).toBe(0);
  });

  it("--version prints the package version", async () => {
    const r = await cli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(require("../../package.json").version);
  });

  it("up --dryrun plans the example offline, says so, and loads no SDK", async () => {
    const r = await cli(["up", "cluster.example.yaml", "--dryrun"], {
      nodeArgs: ["-r", join(ROOT, "test/support/record-requires.js")],
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("dask-demo-scheduler");
    expect(r.stdout).toMatch(/dask-demo-worker-001 … dask-demo-worker-004/);
    expect(r.stdout).toContain("offline: no aws credentials found");
    expect(r.stdout).toMatch(/Cost: \$\d/);
    expect(r.stderr).toContain("SDK-MODULES-LOADED: 0");
  });

  it("up --dryrun --json prints one JSON document with the contract's fields", async () => {
    const r = await cli(["--json", "up", "cluster.example.yaml", "--dryrun"]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({
      cluster: "dask-demo",
      provider: "aws",
      region: "us-east-1",
      dryrun: true,
      offline: true,
    });
    expect(plan.nodes).toHaveLength(5);
    for (const n of plan.nodes) {
      expect(Object.keys(n)).toEqual(
        expect.arrayContaining([
          "name",
          "role",
          "instance_type",
          "vcpus",
          "memory_gib",
          "spot",
          "public_ip",
          "price_hourly",
          "action",
        ]),
      );
    }
    const c = plan.hourly_cost;
    expect(c.total).toBeCloseTo(c.instances + c.public_ips + c.disks, 6);
    expect((await cli(["up", "cluster.example.yaml", "--dryrun", "--json"])).stdout).toBe(r.stdout);
  });

  it("an invalid spec exits 2 with file:line:column, the field and no stack trace", async () => {
    const home = cleanHome();
    const file = join(home, "bad.yaml");
    writeFileSync(
      file,
      "name: demo\nprovider: aws\nregion: us-east-1\nscheduler: {instance_type: m7i.large}\nworkers: {count: 20000, min_vcpus: 2}\nnetwork: {allowed_cidrs: [1.2.3.4/40]}\n",
    );
    const r = await cli(["up", file, "--dryrun"], { home });
    expect(r.code).toBe(2);
    // The header prints although the SpecError comes from another bundle (dist/command-up.js) than the catch.
    expect(r.stderr).toMatch(/^cloudlaunch: invalid spec:\n/);
    expect(r.stderr).toContain(`${file}:5:18: workers.count`);
    expect(r.stderr).toContain(`${file}:6:27: network.allowed_cidrs[0]`);
    noStack(r.stderr);
    const json = await cli(["up", file, "--dryrun", "--json"], { home });
    expect(JSON.parse(json.stdout).error.kind).toBe("SpecError");
  });

  it("floors that nothing meets exit 2 naming the floors and the closest types", async () => {
    const home = cleanHome();
    const file = join(home, "big.yaml");
    writeFileSync(
      file,
      "name: big\nprovider: gcp\nregion: us-central1\ngcp: {project: p}\nscheduler: {min_vcpus: 2}\nworkers: {count: 1, min_vcpus: 4000}\nnetwork: {allowed_cidrs: [203.0.113.1/32]}\n",
    );
    const r = await cli(["up", file, "--dryrun"], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no instance type in gcp us-central1 has ≥ 4000 vCPUs.*closest: /);
    noStack(r.stderr);
  });

  it("a command left hanging on a promise nothing will settle exits 1 and says so, never 0", async () => {
    const r = await cli(["up", "cluster.example.yaml", "--dryrun"], {
      nodeArgs: ["-r", join(ROOT, "test/support/never-settles.js")],
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("up stopped before finishing");
  });

  it("bad usage exits 2", async () => {
    expect((await cli(["launch"])).code).toBe(2);
    expect((await cli(["up"])).code).toBe(2);
    expect((await cli(["status", "--provider", "ibm", "--region", "x"])).code).toBe(2);
    const r = await cli(["status", "nosuch"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no local record of cluster nosuch");
  });

  it("terminate without a terminal and without --yes refuses with exit 2", async () => {
    const r = await cli(["terminate", "demo", "--provider", "aws", "--region", "us-east-1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--yes");
  });
});
