// `up` converges a cluster that already lived: a re-used name, replaced and failed nodes, an interrupted up, capacity
// pressure. The built CLI against each cloud's fake through the real SDK; every scenario starts from its own fresh
// cluster (its own name), so none depends on another's state. CONFORMANCE_PROVIDERS=aws,gcp picks providers.
import type { ChildProcess } from "node:child_process";
import type { ProviderName } from "../../src/spec/schema";
import type { FakeVm } from "../fakes/harness";
import { cleanHome, cli } from "../support/cli";
import { until } from "../support/fake-cloud";
import { startWorld, type World } from "./world";

const PROVIDERS = (process.env.CONFORMANCE_PROVIDERS ?? "aws,gcp,azure").split(",").filter(Boolean) as ProviderName[];
const names = (vms: { name: string }[]) => vms.map((v) => v.name).sort();
const ids = (vms: FakeVm[]) => vms.map((v) => v.uid ?? v.id).sort();
const running = (vm: FakeVm) => /^running$/i.test(vm.state);
/** Short bounds so a stuck node is given up on in seconds (the defaults are minutes). */
const SHORT = {
  CLOUDLAUNCH_PENDING_WAIT_S: "2",
  CLOUDLAUNCH_PENDING_POLL_MS: "100",
  CLOUDLAUNCH_GCP_WAIT_S: "3",
  CLOUDLAUNCH_AWS_WAIT_S: "3",
};

describe.each(PROVIDERS)("%s converges", (provider) => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld(provider);
  });
  afterAll(() => w?.close());
  afterEach(() => {
    w.fake.clearFaults();
    w.fake.setLatency(0);
  });

  /** Launches `cluster` with `workers` workers and returns its VMs. */
  const fresh = async (cluster: string, workers: number, extra?: Record<string, unknown>) => {
    const r = await w.run(["up", w.spec(cluster, workers, extra)]);
    expect(r.stderr).not.toContain("unexpected error");
    expect(r.code).toBe(0);
    expect(w.live(cluster)).toHaveLength(workers + 1);
    return w.live(cluster);
  };

  it("terminate then up of the same name launches it afresh, twice over", async () => {
    let before = await fresh("again", 1);
    for (let round = 0; round < 2; round++) {
      expect((await w.run(["terminate", "again", "--yes"])).code).toBe(0);
      const r = await w.run(["up", w.spec("again", 1)]);
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/IdempotentParameterMismatch|disappeared|\) is terminated/);
      expect(r.code).toBe(0);
      const live = w.live("again");
      expect(live).toHaveLength(2);
      expect(live.every(running)).toBe(true);
      expect(names(live)).toContain("again-scheduler");
      for (const id of ids(live)) expect(ids(before)).not.toContain(id);
      before = live;
    }
  });

  it("terminate on one machine, then up of the same name from a second machine that has no local record", async () => {
    const before = await fresh("elsewhere", 1);
    expect((await w.run(["terminate", "elsewhere", "--yes"])).code).toBe(0);
    // Another user's machine: no record, no CA, nothing but the spec; the launch tokens come from what the cloud shows.
    const r = await cli(["up", w.spec("elsewhere", 1)], { home: cleanHome(), env: w.fake.env });
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/IdempotentParameterMismatch|disappeared|\) is terminated/);
    expect(r.stderr).not.toContain("unexpected error");
    expect(r.code).toBe(0);
    const live = w.live("elsewhere");
    expect(names(live)).toEqual(["elsewhere-scheduler", expect.stringMatching(/^elsewhere-worker-\d{3}$/)]);
    expect(live.every(running)).toBe(true);
    for (const id of ids(live)) expect(ids(before)).not.toContain(id);
  });

  it("one node replaced: a terminated scheduler, then a terminated worker, come back; the rest is kept", async () => {
    const before = await fresh("one", 2);
    const scheduler = before.find((v) => v.name === "one-scheduler")!;
    expect((await w.run(["terminate", "one", "scheduler", "--yes"])).code).toBe(0);
    const r = await w.run(["up", w.spec("one", 2)]);
    expect(r.code).toBe(0);
    const after = w.live("one");
    expect(names(after)).toEqual(names(before));
    expect(ids(after.filter((v) => v.name === "one-scheduler"))).not.toEqual(ids([scheduler]));
    const workers = (vms: FakeVm[]) => ids(vms.filter((v) => v.name.includes("worker")));
    expect(workers(after)).toEqual(workers(before));

    expect((await w.run(["terminate", "one", "worker-001", "--yes"])).code).toBe(0);
    expect((await w.run(["up", w.spec("one", 2)])).code).toBe(0);
    const replaced = w.live("one");
    expect(replaced).toHaveLength(3);
    expect(replaced.every(running)).toBe(true);
    expect(names(replaced)).not.toContain("one-worker-001");
  });

  it("a replaced scheduler: up writes its address into every kept worker's instance metadata, which workers read", async () => {
    const before = await fresh("follow", 2);
    const old = before.find((v) => v.name === "follow-scheduler")!;
    expect((await w.run(["terminate", "follow", "scheduler", "--yes"])).code).toBe(0);
    const r = await w.run(["up", w.spec("follow", 2)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/2 kept worker\(s\) now point at the new scheduler/);
    const live = w.live("follow");
    const scheduler = live.find((v) => v.name === "follow-scheduler")!;
    expect(scheduler.privateIp).toBeTruthy();
    expect(scheduler.privateIp).not.toBe(old.privateIp);
    const workers = live.filter((v) => v.name.includes("worker"));
    expect(ids(workers)).toEqual(ids(before.filter((v) => v.name.includes("worker"))));
    // EC2 and Azure: a tag on the worker (IMDS shows it); GCP: a custom metadata item.
    for (const vm of workers)
      expect(vm.tags["cloudlaunch-scheduler-ip"] ?? vm.metadata?.["cloudlaunch-scheduler-ip"]).toBe(
        scheduler.privateIp,
      );
    // A plain re-run changes nothing: the address is written only when the scheduler is re-created.
    const since = w.fake.calls.length;
    expect((await w.run(["up", w.spec("follow", 2)])).code).toBe(0);
    expect(w.mutatingSince(since).filter((a) => /CreateTags|setMetadata|virtualMachines\.update$/.test(a))).toEqual([]);
  });

  it("a node failed in provisioning is named with its reason, removed with its remnants, and replaced by the next up", async () => {
    w.fake.inject({ kind: "provision-failure", times: 1 });
    const first = await w.run(["up", w.spec("broken", 1)], SHORT);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/broken-scheduler/);
    expect(first.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

    const second = await w.run(["up", w.spec("broken", 1)], SHORT);
    expect(second.stderr).not.toContain("unexpected error");
    expect(second.code).toBe(0);
    // The plan names the node with its state and the cloud's reason (or the bound it outlived).
    expect(second.stderr).toMatch(
      /broken-scheduler is (terminated|pending|running)\b.*(Server\.InternalError|OSProvisioningTimedOut|still pending)/,
    );
    const live = w.live("broken");
    expect(names(live)).toEqual(["broken-scheduler", expect.stringMatching(/^broken-worker-\d{3}$/)]);
    expect(live.every(running)).toBe(true);
    // Nothing of the failed VM is left: no failed VM, and no NIC / public IP / disk beyond the live VMs' own.
    expect(w.fake.vms().filter((v) => v.cluster === "broken" && /failed/i.test(v.state))).toEqual([]);
    for (const kind of ["network interface", "public ip", "volume", "disk"]) {
      const owned = w.fake
        .resources()
        .filter((res) => res.kind.toLowerCase() === kind && Object.values(res.tags).includes("broken"));
      expect(owned.length).toBeLessThanOrEqual(live.length);
    }
  });

  it("an interrupted up leaves pending nodes that the next up waits for instead of counting them or launching twins", async () => {
    // Pending for longer than the killed run's lock takes to go stale (up to 10 s, src/cluster-lock.ts), so the
    // next up still finds the nodes pending when it gets the lock.
    w.fake.inject({ kind: "stuck-pending", holdMs: 20000, times: 1 });
    let child: ChildProcess | undefined;
    const killed = w.run(["up", w.spec("settle", 2)], undefined, (c) => (child = c));
    expect(await until(() => w.live("settle").length >= 1)).toBe(true);
    const atKill = w.live("settle");
    child!.kill("SIGKILL");
    const k = await killed;
    expect(k.code).toBe(-1);
    expect(atKill.some((v) => !running(v))).toBe(true); // the kill landed while the launch was still waiting
    const scheduler = atKill.find((v) => v.name === "settle-scheduler")!;

    const r = await w.run(["up", w.spec("settle", 2)], { ...SHORT, CLOUDLAUNCH_PENDING_WAIT_S: "30" });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/waiting for nodes an earlier run left pending/);
    const live = w.live("settle");
    // Names the killed run planned stay used (src/records.ts), so the workers may be numbered after them.
    expect(names(live)).toEqual([
      "settle-scheduler",
      ...[1, 2].map(() => expect.stringMatching(/^settle-worker-\d{3}$/)),
    ]);
    expect(live.every(running)).toBe(true);
    expect(ids(live.filter((v) => v.name === "settle-scheduler"))).toEqual(ids([scheduler]));
  });

  it("a node pending past the bounded wait is named, removed and replaced", async () => {
    w.fake.inject({ kind: "stuck-pending", times: 1 });
    let child: ChildProcess | undefined;
    const killed = w.run(["up", w.spec("stuck", 1)], undefined, (c) => (child = c));
    expect(await until(() => w.live("stuck").length >= 1)).toBe(true);
    const stuck = w.live("stuck")[0];
    expect(running(stuck)).toBe(false);
    child!.kill("SIGKILL");
    await killed;

    const r = await w.run(["up", w.spec("stuck", 1)], SHORT);
    if (r.code !== 0) console.log(r.stderr);
    expect(r.stderr).toMatch(/stuck-scheduler \(pending\) did not settle within 2 s/);
    expect(r.code).toBe(0);
    const live = w.live("stuck");
    expect(names(live)).toEqual(["stuck-scheduler", expect.stringMatching(/^stuck-worker-\d{3}$/)]);
    expect(live.every(running)).toBe(true);
    expect(ids(live)).not.toContain(stuck.id);
  });

  it("capacity pressure in a pinned zone falls back the same way on every cloud: the next type, same zone", async () => {
    const zone = w.fake.spec.zones[0];
    const spec = w.spec("squeeze", 2, { zone });
    const plan = JSON.parse((await w.run(["up", spec, "--dryrun", "--json"])).stdout);
    const order = plan.roles.worker.fallback_order as { type: string; zone: string }[];
    expect(order.every((p) => p.zone === zone)).toBe(true);
    const [wanted, next] = order.map((p) => p.type);
    expect(next).toBe(plan.roles.worker.runner_up.instance_type);
    w.fake.inject({ kind: "capacity", instanceType: wanted, zone });
    const r = await w.run(["up", spec]);
    expect(r.code).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(
      new RegExp(`${next}[^\\n]*instead of[^\\n]*${wanted}|${wanted}[^\\n]*(capacity|Allocation|trying)`, "i"),
    );
    const workers = w.live("squeeze").filter((v) => v.name.includes("worker"));
    expect(workers).toHaveLength(2);
    for (const vm of workers) expect([vm.instanceType, vm.zone]).toEqual([next, zone]);
  });

  it("a crash in the middle of a launch: the kill lands before the launch finished, the next up adds no twin", async () => {
    const spec = w.spec("crash", 4);
    // The workers stay pending for a while after the cloud accepted them, so the kill lands while `up` is still
    // waiting for them (with the fake's usual 30 ms, a loaded machine could see them running before it kills), and
    // every call is slow, so requests the killed run sent are still in flight when it dies.
    const plan = JSON.parse((await w.run(["up", spec, "--dryrun", "--json"])).stdout);
    w.fake.inject({ kind: "stuck-pending", holdMs: 5000, instanceType: plan.roles.worker.fallback_order[0].type });
    w.fake.setLatency(150);
    let child: ChildProcess | undefined;
    const killed = w.run(["up", spec], undefined, (c) => (child = c));
    expect(await until(() => w.live("crash").length >= 2)).toBe(true);
    const atKill = w.live("crash");
    child!.kill("SIGKILL");
    const k = await killed;
    w.fake.setLatency(0);
    expect(k.code).toBe(-1);
    expect(k.stdout).not.toMatch(/tls:\/\//); // it never printed the cluster's address
    expect(atKill.some((v) => !running(v))).toBe(true);
    const r = await w.run(["up", spec]);
    expect(r.code).toBe(0);
    const live = w.live("crash");
    expect(live).toHaveLength(5);
    // Every VM the killed run launched is kept, by id: a Name tag can still change after the kill (a CreateTags the
    // killed run sent lands later), so names as the fake shows them are no identity.
    expect(ids(live)).toEqual(expect.arrayContaining(ids(atKill)));
    // One VM per node name, as cloudlaunch reads the names (tags, or the batch slot when no Name tag was set).
    const status = JSON.parse((await w.run(["status", "crash", "--json"])).stdout);
    expect(names(status.nodes.filter((n: { state: string }) => n.state !== "terminated"))).toEqual([
      "crash-scheduler",
      ...[1, 2, 3, 4].map((i) => `crash-worker-00${i}`),
    ]);
  });
});
