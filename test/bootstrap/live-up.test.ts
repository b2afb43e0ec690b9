// `up` waits for Dask, for real: the built CLI runs inside a loopback-only namespace against the fake EC2 (reached
// through a Unix-socket bridge), whose VMs have the address 127.0.0.1. This test plays the VMs: when one runs,
// its user data (as the fake received it) is written under a temp root and its rendered start-up runs with Debian's
// Dask in the namespace. `up` must return only once the real scheduler reports every worker; a worker whose
// bootstrap fails (its real setup script, with a Dask that cannot be installed offline) is named with its console.
// With each VM on its own address (PER_VM), a scheduler re-created by `up` gets a new one, and the kept worker must
// find it through its instance metadata, as on a real cloud.
import { installedDaskRelease } from "./node-root.js";
import { PER_VM, startLiveWorld, type LiveWorld } from "./live-world.js";
import { describeWithTools, PYTHON, TOOLS } from "./tools.js";

const LIVE_TOOLS = [TOOLS.distributed, TOOLS.pyyaml, TOOLS.netns];

/** Polls until `ok` holds; throws after `ms` (a generous bound, not a timing assertion), with what `seen` says. */
async function until(ok: () => boolean, ms: number, seen: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${ok}; seen:\n${seen()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describeWithTools("up against real Dask behind a fake cloud", LIVE_TOOLS, () => {
  let w: LiveWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  test("up returns once the scheduler reports every worker, and says so", async () => {
    w = await startLiveWorld("127.0.0.1");
    const up = await w.cli(["up", w.spec("live", 2, { version: installedDaskRelease() })], {
      CLOUDLAUNCH_WAIT_TIMEOUT: "150s",
    });
    if (process.env.LIVE_UP_DEBUG) console.log(up.stdout, up.stderr);
    expect(up.stderr).not.toContain("unexpected error");
    expect({ code: up.code, stdout: up.stdout }).toEqual({
      code: 0,
      stdout: expect.stringContaining("Dask: scheduler up, 2/2 workers connected"),
    });
    expect(up.stderr).toMatch(/waiting up to 150s for Dask/);
    expect(up.stderr).toMatch(/live: scheduler up, [01]\/2 workers connected/);
    // What the scheduler itself says right after `up` returned.
    const identity = await w.ns.run(
      [
        PYTHON,
        "-c",
        "import json, urllib.request; d = json.load(urllib.request.urlopen('http://127.0.0.1:8787/json/identity.json')); print(json.dumps(sorted({w['name'].rsplit('-', 1)[0] for w in d['workers'].values()})))",
      ],
      w.env(),
      30_000,
    );
    expect(JSON.parse(identity.stdout)).toEqual(["live-worker-001", "live-worker-002"]);
    expect(up.stdout).toMatch(/Your client needs: Python 3\.12\.x, dask==\S+ and distributed==\S+/);
    expect(up.stdout).toContain("client.get_versions(check=True)");

    const status = await w.cli(["status", "live"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("Dask:           scheduler up, 2/2 workers connected");
    expect(status.stdout).toContain("Dashboard:      http://127.0.0.1:8787");
    const json = JSON.parse((await w.cli(["status", "live", "--json"])).stdout);
    expect(json.dask).toEqual({ scheduler_up: true, workers_connected: 2, workers_expected: 2 });
    expect(json.client).toEqual({
      python: "3.12",
      dask: installedDaskRelease(),
      distributed: installedDaskRelease(),
      image: "ubuntu-24.04",
    });
  }, 300_000);

  test("a re-created scheduler: the kept worker moves to its new address by itself, over TLS that still verifies", async () => {
    // Each VM its own address, a gone VM's address off the interface; a worker gives up on an absent scheduler after
    // 10 s instead of 600 s, then its service starts again and reads the address anew from its instance metadata.
    w = await startLiveWorld(PER_VM, {
      vmEnv: { CLOUDLAUNCH_SCHEDULER_WAIT_S: "10", CLOUDLAUNCH_SCHEDULER_POLL_S: "1" },
    });
    const spec = w.spec("move", 1, { version: installedDaskRelease() });
    const wait = { CLOUDLAUNCH_WAIT_TIMEOUT: "150s" };
    const first = await w.cli(["up", spec], wait);
    if (process.env.LIVE_UP_DEBUG) console.log(first.stdout, first.stderr);
    expect({ code: first.code, stdout: first.stdout }).toEqual({
      code: 0,
      stdout: expect.stringContaining("Dask: scheduler up, 1/1 workers connected"),
    });
    const byName = (name: string) => w!.fake.vms().find((v) => v.name === name && v.state === "running")!;
    const oldScheduler = byName("move-scheduler");
    const worker = byName("move-worker-001");
    expect(new Set([oldScheduler.privateIp, worker.privateIp]).size).toBe(2);

    const before = w.vm("move-worker-001")!.output().length;
    expect((await w.cli(["terminate", "move", "scheduler", "--yes"])).code).toBe(0);
    // The worker's Dask exits with its scheduler; started again, it finds only the old address in its metadata (no
    // up has run yet) and waits there, until its bounded wait sends it round again after the next up. Dask does not
    // always exit at once: when a worker process dies while closing (its close timing out), its nanny starts it
    // again on the old address, and `dask worker` only exits after --death-timeout (120 s) more.
    const old = `${oldScheduler.privateIp}:8786`;
    const since = () => w!.vm("move-worker-001")!.output().slice(before);
    await until(() => since().includes(`waiting for the scheduler at ${old}`), 300_000, since);
    const again = await w.cli(["up", spec], wait);
    if (process.env.LIVE_UP_DEBUG) console.log(again.stdout, again.stderr, w.vm("move-worker-001")?.output());
    expect(again.stderr).not.toContain("unexpected error");
    const scheduler = byName("move-scheduler");
    expect(scheduler.privateIp).not.toBe(oldScheduler.privateIp);
    expect(again.stderr).toContain(`1 kept worker(s) now point at the new scheduler ${scheduler.privateIp}`);
    // up returns 0 only once the new scheduler reports the worker.
    expect({ code: again.code, stdout: again.stdout }).toEqual({
      code: 0,
      stdout: expect.stringContaining("Dask: scheduler up, 1/1 workers connected"),
    });
    // The same VM, never relaunched: its service started again and dialled the address from its metadata.
    expect(byName("move-worker-001").id).toBe(worker.id);
    const played = w.vm("move-worker-001")!;
    expect(played.id).toBe(worker.id);
    expect(played.starts).toBeGreaterThan(2);
    expect(since()).toContain(`no scheduler at ${old}; exiting so the service restarts with the current address`);
    expect(played.output()).toMatch(
      new RegExp(`Registered to: +tls://${scheduler.privateIp!.replace(/\./g, "\\.")}:8786`),
    );
    // What the new scheduler says: the worker, connected over tls:// (Dask requires a certificate from the CA).
    const identity = await w.ns.run(
      [
        PYTHON,
        "-c",
        `import json, urllib.request; d = json.load(urllib.request.urlopen('http://${scheduler.publicIp}:8787/json/identity.json')); print(json.dumps({'address': d['address'], 'workers': sorted({(a.split(':')[0], w['name'].rsplit('-', 1)[0]) for a, w in d['workers'].items()})}))`,
      ],
      w.env(),
      30_000,
    );
    expect(JSON.parse(identity.stdout)).toEqual({
      address: expect.stringMatching(/^tls:\/\//),
      workers: [["tls", "move-worker-001"]],
    });
  }, 600_000);

  test("a worker whose bootstrap fails: up exits 1 naming it, with its console lines, without waiting out the timeout", async () => {
    w = await startLiveWorld("127.0.0.1", { failing: "broken-worker-002" });
    const started = Date.now();
    const up = await w.cli(["up", w.spec("broken", 3, { version: installedDaskRelease() }), "--wait-timeout", "240s"]);
    // Once the others joined and its console said it failed, there was nothing left to wait for.
    expect(Date.now() - started).toBeLessThan(240_000);
    if (process.env.LIVE_UP_DEBUG) console.log(up.stdout, up.stderr);
    expect(up.stderr).not.toContain("unexpected error");
    expect(up.code).toBe(1);
    expect(up.stdout).toContain(
      "Dask: scheduler up, 2/3 workers connected; the nodes still missing failed their bootstrap. Not in the cluster:",
    );
    expect(up.stdout).toMatch(
      /^ {2}broken-worker-002 \(worker\): running, no Dask worker registered; console: bootstrap failed at installing dask 2099\.1\.0: .+ exited 1 after 2 attempts$/m,
    );
    expect(up.stdout).toMatch(/^ {6}\| cloudlaunch: installing dask 2099\.1\.0$/m);
    expect(up.stdout).not.toMatch(/broken-worker-00[13] \(worker\)/);
  }, 360_000);

  test("a worker that never joins: up waits out the timeout, exits 1 and names it with its console", async () => {
    w = await startLiveWorld("127.0.0.1", { silent: "hung-worker-001" });
    w.fake.setConsoleOutput(
      "hung-worker-001",
      "[    0.000000] Linux version 6.8.0-1015-cloud\ncloudlaunch: creating the venv\n",
    );
    const up = await w.cli(["up", w.spec("hung", 1, { version: installedDaskRelease() }), "--wait-timeout", "45s"]);
    expect(up.code).toBe(1);
    expect(up.stdout).toContain("Dask: not ready after 45s: scheduler up, 0/1 workers connected. Not in the cluster:");
    expect(up.stdout).toMatch(
      /^ {2}hung-worker-001 \(worker\): running, no Dask worker registered; console: creating the venv$/m,
    );
    expect(up.stdout).toMatch(/^ {6}\| cloudlaunch: creating the venv$/m);
  }, 240_000);

  test("a dashboard this machine cannot route to: up says so at once and falls back to the consoles the cloud keeps", async () => {
    // 198.51.100.20 has no route from the namespace (only loopback): connect fails at once, nothing leaves it.
    w = await startLiveWorld("198.51.100.20", { playVms: false });
    w.fake.setConsoleOutput(
      "far-worker-001",
      "cloudlaunch: installing dask 2025.5.1\ncloudlaunch: bootstrap failed at installing dask 2025.5.1: pip exited 1\n",
    );
    const started = Date.now();
    const up = await w.cli(["up", w.spec("far", 2)], { CLOUDLAUNCH_WAIT_TIMEOUT: "10m" });
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(up.code).toBe(1);
    expect(up.stdout).toContain("Dask: cannot reach the dashboard http://198.51.100.20:8787 from this machine");
    expect(up.stdout).toContain("network.allowed_cidrs");
    expect(up.stdout).toMatch(
      /far-worker-001 \(worker\): running; console: bootstrap failed at installing dask 2025\.5\.1: pip exited 1/,
    );
    expect(up.stdout).toMatch(/far-worker-002 \(worker\): running$/m);
  }, 300_000);
});
