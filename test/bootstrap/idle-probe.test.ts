// The worker side of idle_timeout (idle-run.sh) run for real against a scheduler port on the IPv6 loopback:
// the address's brackets are taken off before bash's /dev/tcp sees it, and while the worker holds its connection to
// the scheduler nothing else connects (a bare connect makes the Dask scheduler log "closed before handshake
// completed"), which `ss` (a wrapper that counts its calls, then runs the real one) answers instead.
// start-dask.sh is a stub standing in for the Dask worker: it holds a connection to the scheduler or just waits.
import { type ChildProcess, spawn } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderUserData } from "../../src/bootstrap/index.js";
import { describeWithTools, materialize, parseWithPyYaml, SYSTEM_PATH, TOOLS } from "./tools.js";
import { resolved } from "../support/spec.js";

const IDLE_EXIT = 75;
const SS = { pkg: "iproute2", probe: ["ss", "-V"] };

async function until(check: () => boolean, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeWithTools("the idle worker's scheduler probe", [TOOLS.pyyaml, SS], () => {
  const work = mkdtempSync(join(tmpdir(), "cloudlaunch-idle-probe-"));
  let scheduler: Server;
  let sockets: Socket[];
  let accepted: number;
  let wrapper: ChildProcess | undefined;
  afterEach(() => {
    wrapper?.kill("SIGKILL");
    scheduler?.close();
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function listen(): Promise<number> {
    accepted = 0;
    sockets = [];
    scheduler = createServer((s) => {
      accepted++;
      sockets.push(s);
      s.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => scheduler.listen(0, "::1", resolve));
    return (scheduler.address() as { port: number }).port;
  }

  function stopScheduler() {
    scheduler.close();
    for (const s of sockets) s.destroy();
  }

  function startWorker(name: string, port: number, holdConnection: boolean) {
    const root = join(work, name);
    const userData = renderUserData({
      provider: "gcp",
      cluster: "probe",
      role: "worker",
      vcpus: 1,
      memoryGib: 2,
      schedulerHost: "::1",
      spec: resolved({ security: false, idle_timeout: "30m" }),
    });
    materialize(parseWithPyYaml(userData), root);
    const conf = join(root, "etc/cloudlaunch");
    expect(readFileSync(join(conf, "cloudlaunch.env"), "utf8")).toContain("DASK_SCHEDULER_ADDRESS='tcp://[::1]:8786'");
    appendFileSync(
      join(conf, "cloudlaunch.env"),
      `DASK_SCHEDULER_ADDRESS='tcp://[::1]:${port}'\nCLOUDLAUNCH_IDLE_PROBE_SECONDS=1\nCLOUDLAUNCH_SCHEDULER_GONE_SECONDS=2\n`,
    );
    const hold = holdConnection ? `exec 3<>"/dev/tcp/::1/${port}"\n` : "";
    writeFileSync(
      join(root, "opt/cloudlaunch/start-dask.sh"),
      `#!/bin/bash\nsource "$1/cloudlaunch.env"\n${hold}exec sleep 600\n`,
    );
    const bin = join(root, "stub-bin");
    const ssCalls = join(root, "ss-calls");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "ss"), `#!/bin/sh\necho "$*" >> '${ssCalls}'\nexec /usr/bin/ss "$@"\n`);
    chmodSync(join(bin, "ss"), 0o755);
    let output = "";
    const child = spawn(join(root, "opt/cloudlaunch/idle-run.sh"), [conf], {
      env: { PATH: `${bin}:${SYSTEM_PATH}`, HOME: work },
    });
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    wrapper = child;
    const ssCount = () => (existsSync(ssCalls) ? readFileSync(ssCalls, "utf8").split("\n").length - 1 : 0);
    return { child, exit, output: () => output, ssCount };
  }

  test("while the worker is connected, the probe asks ss and opens no connection of its own", async () => {
    const port = await listen();
    const worker = startWorker("connected", port, true);
    await until(() => worker.ssCount() >= 3 || worker.child.exitCode !== null, "three probes");
    expect(worker.child.exitCode).toBeNull();
    expect(accepted).toBe(1);

    stopScheduler();
    expect(await worker.exit).toBe(IDLE_EXIT);
    expect(worker.output()).toContain(
      `the scheduler [::1]:${port} has been unreachable for 2s (idle_timeout); this node powers off`,
    );
  }, 60_000);

  test("without a connection the probe reaches an IPv6 scheduler, and the worker stays while it answers", async () => {
    const port = await listen();
    const worker = startWorker("probing", port, false);
    await until(() => accepted >= 3 || worker.child.exitCode !== null, "three probe connections");
    expect(worker.child.exitCode).toBeNull();

    stopScheduler();
    expect(await worker.exit).toBe(IDLE_EXIT);
  }, 60_000);
});
