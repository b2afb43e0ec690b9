// idle_timeout on real Dask (Debian's python3-distributed) in a loopback-only namespace, from the rendered user data:
// the scheduler closes itself after Dask's idle timeout and idle-run.sh ends with the idle status; the worker's
// wrapper sees the scheduler gone and ends the same way; idle-poweroff.sh, given that status as systemd's ExecStopPost
// would give it, calls the power-off command (a stub `systemctl` on PATH that records its arguments). GCP's
// self-deletion instead of a power-off: test/conformance/gcp-idle-delete.test.ts.
import { execFileSync } from "node:child_process";
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
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderUserData } from "../../src/bootstrap/index.js";
import { Namespace, type Started } from "./netns.js";
import { describeWithTools, materialize, parseWithPyYaml, PYTHON, SYSTEM_PATH, TOOLS } from "./tools.js";
import { resolved } from "../support/spec.js";

const IDLE_EXIT = 75;
const runEnv = (work: string): NodeJS.ProcessEnv => ({ PATH: SYSTEM_PATH, HOME: work, TMPDIR: work });
const exitOf = (s: Started) =>
  new Promise<number | null>((resolve) =>
    s.proc.exitCode !== null ? resolve(s.proc.exitCode) : s.proc.on("exit", (code) => resolve(code)),
  );

function daskRelease(): string {
  return execFileSync(PYTHON, ["-c", "import distributed; print(distributed.__version__.split('+')[0])"], {
    env: { PATH: SYSTEM_PATH },
  })
    .toString()
    .trim();
}

function renderNode(work: string, role: "scheduler" | "worker", overrides: string): string {
  const root = join(work, role);
  const userData = renderUserData({
    provider: "aws",
    cluster: "idle",
    role,
    nodeName: `idle-${role}`,
    vcpus: 1,
    memoryGib: 2,
    schedulerHost: role === "worker" ? "127.0.0.1" : undefined,
    spec: resolved({ security: false, idle_timeout: "30m", dask: { version: daskRelease() } }),
  });
  materialize(parseWithPyYaml(userData), root);
  expect(readFileSync(join(root, "etc/cloudlaunch/cloudlaunch.env"), "utf8")).toContain(
    "CLOUDLAUNCH_IDLE_TIMEOUT_SECONDS='1800'",
  );
  expect(readFileSync(join(root, "etc/systemd/system/cloudlaunch-dask.service.d/idle.conf"), "utf8")).toContain(
    "RestartPreventExitStatus=75",
  );
  // Seconds instead of 30 minutes: the same scripts, a test-sized clock.
  appendFileSync(join(root, "etc/cloudlaunch/cloudlaunch.env"), overrides);
  return root;
}

describeWithTools("idle_timeout on real Dask", [TOOLS.distributed, TOOLS.pyyaml, TOOLS.netns], () => {
  const work = mkdtempSync(join(tmpdir(), "cloudlaunch-idle-"));
  let ns: Namespace;

  afterAll(() => {
    ns?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  test("the idle scheduler exits through Dask's idle timeout, the worker follows, and the node is powered off", async () => {
    const roots = {
      scheduler: renderNode(work, "scheduler", "CLOUDLAUNCH_IDLE_TIMEOUT_SECONDS=15\n"),
      worker: renderNode(work, "worker", "CLOUDLAUNCH_IDLE_PROBE_SECONDS=1\nCLOUDLAUNCH_SCHEDULER_GONE_SECONDS=3\n"),
    };
    ns = await Namespace.create();
    const start = (root: string) =>
      ns.start([join(root, "opt/cloudlaunch/idle-run.sh"), join(root, "etc/cloudlaunch")], runEnv(work));
    const scheduler = start(roots.scheduler);
    await scheduler.waitFor(/Scheduler at:\s+tcp:\/\//, 30_000);
    const worker = start(roots.worker);
    await scheduler.waitFor(/Register worker/, 60_000);

    expect(await exitOf(scheduler)).toBe(IDLE_EXIT);
    expect(scheduler.output()).toMatch(/idle/i);
    expect(scheduler.output()).toContain("the scheduler was idle for 15s (idle_timeout); this node powers off");
    expect(await exitOf(worker)).toBe(IDLE_EXIT);
    expect(worker.output()).toContain(
      "the scheduler 127.0.0.1:8786 has been unreachable for 3s (idle_timeout); this node powers off",
    );

    // The power-off step, as systemd runs it after the unit stops: only the idle status powers the node off.
    const bin = join(work, "stub-bin");
    const calls = join(work, "systemctl-calls");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "systemctl"), `#!/bin/sh\necho "$@" >> '${calls}'\n`);
    chmodSync(join(bin, "systemctl"), 0o755);
    const poweroff = (status: number) =>
      ns.run(
        [join(roots.scheduler, "opt/cloudlaunch/idle-poweroff.sh"), join(roots.scheduler, "etc/cloudlaunch")],
        { ...runEnv(work), PATH: `${bin}:${SYSTEM_PATH}`, EXIT_STATUS: String(status) },
        10_000,
      );
    expect((await poweroff(0)).status).toBe(0);
    expect(existsSync(calls)).toBe(false);
    expect((await poweroff(IDLE_EXIT)).status).toBe(0);
    expect(readFileSync(calls, "utf8")).toBe("poweroff\n");
  }, 120_000);
});
