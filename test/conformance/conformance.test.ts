// The provider-agnostic scenarios (after cloudbridge's conformance tests): the built CLI, end to end, against each
// cloud's fake through the real SDK. CONFORMANCE_PROVIDERS=aws,gcp picks providers (default: all three).
import type { ChildProcess } from "node:child_process";
import type { ProviderName } from "../../src/spec/schema";
import { until } from "../support/fake-cloud";
import { startWorld, type World } from "./world";

// Each scenario launches its own cluster and spawns the CLI several times; GCP's SDK alone takes seconds to load on a
// busy machine.
jest.setTimeout(180_000);

const PROVIDERS = (process.env.CONFORMANCE_PROVIDERS ?? "aws,gcp,azure").split(",").filter(Boolean) as ProviderName[];
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
const names = (vms: { name: string }[]) => vms.map((v) => v.name).sort();

const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe.each(PROVIDERS)("%s", (provider) => {
  let w: World;
  beforeAll(async () => void (w = await startWorld(provider)));
  afterAll(() => w?.close());

  // Every scenario starts from a cluster of its own and removes it (and any it made under other names): any one
  // runs alone (-t) and none sees what another left.
  const made: string[] = [];
  const own = (cluster: string) => {
    made.push(cluster);
    return cluster;
  };
  afterEach(async () => {
    w.fake.clearFaults();
    w.fake.setLatency(0);
    for (const cluster of made.splice(0)) {
      const r = await w.run(["terminate", cluster, "--yes"]);
      if (r.code !== 0 && w.live(cluster).length) throw new Error(`could not clean up ${cluster}: ${r.stderr}`);
    }
  });
  /** `up` of a fresh cluster of `workers` workers, which must succeed. */
  const launched = async (cluster: string, workers: number) => {
    const r = await w.run(["up", w.spec(own(cluster), workers)]);
    expect(r.stderr).not.toContain("unexpected error");
    expect(r.code).toBe(0);
    return r;
  };

  it("up launches the scheduler and workers, each with an ephemeral public IP, and prints the Dask addresses", async () => {
    const r = await w.run(["up", w.spec(own("alpha"), 3), "--json"]);
    expect(r.stderr).not.toContain("unexpected error");
    expect(r.code).toBe(0);
    const live = w.live("alpha");
    expect(names(live)).toEqual(["alpha-scheduler", "alpha-worker-001", "alpha-worker-002", "alpha-worker-003"]);
    for (const vm of live) {
      expect(vm.publicIp).toBeTruthy();
      expect(vm.privateIp).toBeTruthy();
    }
    const out = JSON.parse(r.stdout);
    const scheduler = live.find((v) => v.name === "alpha-scheduler")!;
    expect(out.scheduler).toBe(`tls://${scheduler.publicIp}:8786`);
    expect(out.dashboard).toBe(`http://${scheduler.publicIp}:8787`);
  });

  it("status lists the cluster, and one row per node with --json", async () => {
    await launched("stat", 3);
    const all = await w.run(["status"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/│ stat +│.*│ 4 running +│/);
    const one = JSON.parse((await w.run(["status", "stat", "--json"])).stdout);
    expect(one.nodes).toHaveLength(4);
    for (const n of one.nodes) {
      expect(n).toEqual(
        expect.objectContaining({ state: "running", role: expect.stringMatching(/^(scheduler|worker)$/) }),
      );
      for (const key of ["name", "id", "instance_type", "zone", "public_ip", "private_ip"]) expect(n[key]).toBeTruthy();
    }
  });

  it("running up again changes nothing and creates no duplicate", async () => {
    await launched("again", 3);
    const before = w
      .live("again")
      .map((v) => v.id)
      .sort();
    const since = w.fake.calls.length;
    const r = await w.run(["up", w.spec("again", 3)]);
    expect(r.code).toBe(0);
    expect(
      w
        .live("again")
        .map((v) => v.id)
        .sort(),
    ).toEqual(before);
    expect(
      w
        .mutatingSince(since)
        .filter((a) => /run|insert|create|put/i.test(a) && !/firewall|security|nsg|group|tags/i.test(a)),
    ).toEqual([]);
  });

  it("scales up under the next free names, lists surplus, and terminates it only when asked", async () => {
    await launched("scale", 3);
    expect((await w.run(["up", w.spec("scale", 5)])).code).toBe(0);
    expect(names(w.live("scale"))).toContain("scale-worker-005");
    const down = await w.run(["up", w.spec("scale", 3)]);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain("--terminate-surplus");
    expect(w.live("scale")).toHaveLength(6);
    expect((await w.run(["up", w.spec("scale", 3), "--terminate-surplus"])).code).toBe(0);
    expect(names(w.live("scale"))).toEqual([
      "scale-scheduler",
      "scale-worker-001",
      "scale-worker-002",
      "scale-worker-003",
    ]);
    expect((await w.run(["up", w.spec("scale", 4)])).code).toBe(0);
    // worker-004 and -005 were terminated recently: their names are not reused.
    expect(names(w.live("scale"))).toContain("scale-worker-006");
  });

  it("stop and start report per node; start brings new public IPs", async () => {
    await launched("cycle", 2);
    const before = new Map(w.live("cycle").map((v) => [v.name, v.publicIp]));
    const stop = await w.run(["stop", "cycle", "worker-001", "worker-999"]);
    expect(stop.code).toBe(1);
    expect(stop.stdout).toContain("worker-999: not found");
    // Azure's Standard public IP is static and stays through deallocation; the others release it on stop.
    if (provider !== "azure") expect(w.live("cycle").find((v) => v.name === "cycle-worker-001")?.publicIp).toBeFalsy();
    const again = await w.run(["stop", "cycle", "worker-001"]);
    expect(again.stdout).toMatch(/worker-001: already (stopped|stopping)/);
    expect(again.code).toBe(0);
    expect((await w.run(["stop", "cycle"])).code).toBe(0);
    const start = await w.run(["start", "cycle", "--json"]);
    expect(start.code).toBe(0);
    const started = JSON.parse(start.stdout).results;
    expect(started.every((s: { ok: boolean }) => s.ok)).toBe(true);
    for (const vm of w.live("cycle")) {
      expect(vm.publicIp).toBeTruthy();
      if (provider !== "azure") expect(vm.publicIp).not.toBe(before.get(vm.name)); // Azure keeps its static Standard IP
    }
  });

  it("--dryrun changes nothing: no mutating call reaches the cloud", async () => {
    await launched("dry", 2);
    const vms = JSON.stringify(w.fake.vms());
    const since = w.fake.calls.length;
    const up = await w.run(["up", w.spec("dry", 6), "--dryrun", "--json"]);
    expect(up.code).toBe(0);
    const plan = JSON.parse(up.stdout);
    expect(plan.offline).toBe(false);
    expect(plan.nodes.filter((n: { action: string }) => n.action === "create")).toHaveLength(4);
    for (const args of [["stop"], ["start"], ["terminate", "--yes"]])
      expect((await w.run([...args, "dry", "--dryrun"])).code).toBe(0);
    expect(w.mutatingSince(since)).toEqual([]);
    expect(JSON.stringify(w.fake.vms())).toBe(vms);
  });

  it("up --increment launches a new cluster under the next free name", async () => {
    await launched("inc", 1);
    own("inc-1");
    const r = await w.run(["up", w.spec("inc", 1), "--increment"]);
    expect(r.code).toBe(0);
    expect(names(w.live("inc-1"))).toEqual(["inc-1-scheduler", "inc-1-worker-001"]);
    expect(names(w.live("inc"))).toEqual(["inc-scheduler", "inc-worker-001"]);
  });

  it("falls back to another type when the cheapest has no capacity, and says so", async () => {
    const plan = JSON.parse((await w.run(["up", w.spec(own("beta"), 2), "--dryrun", "--json"])).stdout);
    const wanted = plan.roles.worker.instance_type;
    w.fake.inject({ kind: "capacity", instanceType: wanted });
    const r = await w.run(["up", w.spec("beta", 2)]);
    expect(r.code).toBe(0);
    const workers = w.live("beta").filter((v) => v.name.includes("worker"));
    expect(workers).toHaveLength(2);
    for (const vm of workers) expect(vm.instanceType).not.toBe(wanted);
    // The line `up` prints for every cloud (src/apply/up.ts): who landed where instead of the type it wanted.
    const got = literally(workers[0].instanceType);
    expect(r.stderr).toMatch(
      new RegExp(
        `(2 nodes \\(beta-worker-001 … beta-worker-002\\)|beta-worker-00[12]) landed elsewhere: .*\\b${got}\\b.* instead of ${literally(wanted)}\\b`,
      ),
    );
  });

  it("survives throttling", async () => {
    w.fake.inject({ kind: "throttle", times: 4 });
    await launched("gamma", 2);
    expect(w.live("gamma")).toHaveLength(3);
    expect(w.fake.calls.some((c) => c.throttled)).toBe(true);
  });

  it("a crash in the middle of a launch leaves nothing that the next up duplicates", async () => {
    w.fake.setLatency(150);
    const spec = w.spec(own("delta"), 6);
    let process: ChildProcess | undefined;
    const run = w.run(["up", spec], undefined, (child) => (process = child));
    // Killed once the scheduler and some workers exist: mid-launch, as a crash or a closed laptop would.
    expect(await until(() => w.live("delta").length >= 2)).toBe(true);
    process!.kill("SIGKILL");
    await run;
    w.fake.setLatency(0);
    const r = await w.run(["up", spec]);
    expect(r.code).toBe(0);
    const live = w.live("delta");
    expect(live).toHaveLength(7);
    expect(new Set(live.map((v) => v.name)).size).toBe(7);
  });

  it("terminate asks first, then removes every node and everything tagged with the cluster", async () => {
    await launched("omega", 2);
    const refused = await w.run(["terminate", "omega"]);
    expect(refused.code).toBe(2);
    expect(w.live("omega")).toHaveLength(3);
    const partial = await w.run(["terminate", "omega", "worker-001", "--yes"]);
    expect(partial.code).toBe(0);
    expect(names(w.live("omega"))).toEqual(["omega-scheduler", "omega-worker-002"]);
    const r = await w.run(["terminate", "omega", "--yes"]);
    expect(r.stderr).not.toContain("still tagged");
    expect(r.code).toBe(0);
    expect(w.live("omega")).toEqual([]);
    expect(w.fake.resources().filter((res) => Object.values(res.tags).includes("omega"))).toEqual([]);
    expect((await w.run(["status", "omega"])).code).toBe(2); // the local record is gone too
  });

  it("bad credentials give a clear message and exit 1", async () => {
    const r = await w.run(["up", w.spec(own("epsilon"), 1)], w.fake.badCredentialsEnv);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/credential|authenticat|token|login/i);
    noStack(r.stderr);
    expect(w.live("epsilon")).toEqual([]);
  });
});
