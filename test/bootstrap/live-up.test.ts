// `up` waits for Dask, for real: the built CLI runs inside a loopback-only namespace against the fake EC2 (reached
// through a Unix-socket bridge), whose VMs all have the address 127.0.0.1. This test plays the VMs: when one runs,
// its user data (as the fake received it) is written under a temp root and its rendered start-up runs with Debian's
// Dask in the namespace. `up` must return only once the real scheduler reports every worker; a worker whose
// bootstrap fails (its real setup script, with a Dask that cannot be installed offline) is named with its console.
import { installedDaskRelease } from "./node-root.js";
import { startLiveWorld, type LiveWorld } from "./live-world.js";
import { describeWithTools, PYTHON, TOOLS } from "./tools.js";

const LIVE_TOOLS = [TOOLS.distributed, TOOLS.pyyaml, TOOLS.netns];

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
