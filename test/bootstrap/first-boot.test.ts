// The shipped setup run for real, as first boot runs it, inside a loopback-only namespace (no network, as a VM whose
// mirror is down): pip_packages on an image that already has the pinned Dask go into a venv made over the system's
// Dask; an unavailable Dask fails with one line naming the step; apt waits for a dpkg lock held at boot and retries.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderUserData } from "../../src/bootstrap/index.js";
import { Namespace } from "./netns.js";
import { describeWithTools, materialize, parseWithPyYaml, PYTHON, SYSTEM_PATH, TOOLS } from "./tools.js";
import { installedDaskRelease, relocateVenv, writeWheel } from "./node-root.js";
import { resolved } from "../support/spec.js";

describeWithTools("first boot, run for real without a network", [TOOLS.distributed, TOOLS.pyyaml, TOOLS.netns], () => {
  const work = mkdtempSync(join(tmpdir(), "cloudlaunch-boot-"));
  let ns: Namespace;
  const env = (extra: Record<string, string> = {}) => ({
    PATH: SYSTEM_PATH,
    HOME: work,
    TMPDIR: work,
    PIP_NO_INDEX: "1",
    ...extra,
  });

  beforeAll(async () => {
    ns = await Namespace.create();
  }, 30_000);
  afterAll(() => {
    ns?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  function render(name: string, dask: Record<string, unknown>): string {
    const root = join(work, name);
    const userData = renderUserData({
      provider: "gcp",
      cluster: "boot",
      role: "worker",
      vcpus: 2,
      memoryGib: 4,
      schedulerHost: "127.0.0.1",
      spec: resolved({ security: false, dask }),
    });
    materialize(parseWithPyYaml(userData), root);
    relocateVenv(root);
    return root;
  }

  const setup = (root: string, extra?: Record<string, string>) =>
    ns.run([join(root, "opt/cloudlaunch/setup-dask.sh"), join(root, "etc/cloudlaunch")], env(extra), 120_000);

  test("pip_packages on an image with the pinned Dask: a venv over the system's Dask takes them; the system Python does not", async () => {
    const wheel = writeWheel(work, "cloudlaunch_probe", "1.0");
    const root = render("baked", { version: installedDaskRelease(), pip_packages: [wheel] });
    const run = await setup(root);
    expect(run.stderr).not.toMatch(/externally-managed-environment/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`cloudlaunch: creating the venv on the image's dask ${installedDaskRelease()}`);
    expect(run.stdout).toContain(`cloudlaunch: installing pip packages: ${wheel}`);
    const venvPython = join(root, "opt/cloudlaunch/venv/bin/python");
    const check = await ns.run(
      [venvPython, "-c", "import cloudlaunch_probe, distributed; print(distributed.__file__)"],
      env(),
      30_000,
    );
    expect(check.stdout.trim()).toBe("/usr/lib/python3/dist-packages/distributed/__init__.py");
    const system = await ns.run([PYTHON, "-c", "import cloudlaunch_probe"], env(), 30_000);
    expect(system.status).not.toBe(0);

    const again = await setup(root);
    expect(again.stdout).toContain(`cloudlaunch: dask ${installedDaskRelease()} is ready in`);
  }, 180_000);

  test("a Dask that cannot be installed: retried, then one line names the step and why, and setup exits non-zero", async () => {
    const root = render("unavailable", { version: "2099.1.0" });
    const run = await setup(root, { CLOUDLAUNCH_RETRIES: "2", CLOUDLAUNCH_RETRY_DELAY_S: "0" });
    expect(run.status).not.toBe(0);
    const lines = run.stdout
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("cloudlaunch: "));
    expect(lines).toEqual([
      "cloudlaunch: creating the venv",
      "cloudlaunch: installing dask 2099.1.0",
      "cloudlaunch: installing dask 2099.1.0: attempt 1 failed (exit 1), retrying in 0s",
      "cloudlaunch: bootstrap failed at installing dask 2099.1.0: python -m pip install -q dask[distributed,diagnostics]==2099.1.0 exited 1 after 2 attempts",
    ]);
  }, 180_000);

  /** systemctl, useradd and shutdown stand-ins that record their arguments: the rest of bootstrap.sh runs for real. */
  function systemStubs(): { bin: string; calls: () => string[] } {
    const bin = mkdtempSync(join(work, "stubs-"));
    const log = join(bin, "calls");
    for (const cmd of ["systemctl", "useradd", "shutdown"]) {
      writeFileSync(join(bin, cmd), `#!/bin/bash\necho "${cmd} $*" >> '${log}'\n`, { mode: 0o755 });
    }
    return { bin, calls: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []) };
  }

  const bootstrap = (root: string, bin: string, extra: Record<string, string> = {}) =>
    ns.run(
      [join(root, "opt/cloudlaunch/bootstrap.sh"), join(root, "etc/cloudlaunch")],
      env({ PATH: `${bin}:${SYSTEM_PATH}`, ...extra }),
      120_000,
    );

  test("bootstrap.sh: a failed step is reported once, and the node powers off 15 minutes later only when the spec asks", async () => {
    const failing = { CLOUDLAUNCH_RETRIES: "1" };
    const asked = systemStubs();
    const run = await bootstrap(
      render("shutdown", { version: "2099.1.0", shutdown_on_bootstrap_failure: true }),
      asked.bin,
      failing,
    );
    expect(run.status).not.toBe(0);
    expect(run.stdout.match(/bootstrap failed at/g)).toHaveLength(1);
    expect(run.stdout).toMatch(
      /cloudlaunch: bootstrap failed at installing dask 2099\.1\.0: .* exited 1 after 1 attempts\ncloudlaunch: powering off in 15 minutes \(shutdown -c cancels\)\n$/,
    );
    expect(asked.calls()).toEqual(["shutdown -h +15 cloudlaunch: bootstrap failed at setting up dask"]);

    const notAsked = systemStubs();
    const quiet = await bootstrap(render("no-shutdown", { version: "2099.1.0" }), notAsked.bin, failing);
    expect(quiet.status).not.toBe(0);
    expect(quiet.stdout).not.toContain("powering off");
    expect(notAsked.calls()).toEqual([]);
  }, 240_000);

  test("bootstrap.sh: a good boot creates the dask user and starts the service, one line per step", async () => {
    const stubs = systemStubs();
    const run = await bootstrap(
      render("good", { version: installedDaskRelease(), shutdown_on_bootstrap_failure: true }),
      stubs.bin,
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual([
      `cloudlaunch: creating the venv on the image's dask ${installedDaskRelease()}`,
      "cloudlaunch: creating the dask user",
      "cloudlaunch: starting dask worker",
      "cloudlaunch: dask worker started",
    ]);
    expect(stubs.calls()).toEqual([
      "useradd --system --create-home --home-dir /var/lib/cloudlaunch --shell /usr/sbin/nologin dask",
      "systemctl daemon-reload",
      "systemctl enable --now cloudlaunch-dask.service",
    ]);
  }, 180_000);

  test("apt waits for a dpkg lock held at boot, then retries a failing apt-get with backoff", async () => {
    const root = render("apt", { version: installedDaskRelease() });
    const bin = join(work, "fake-bin");
    mkdirSync(bin, { recursive: true });
    const lock = join(work, "lock-frontend");
    const released = join(work, "released");
    const calls = join(work, "apt-calls");
    writeFileSync(lock, "");
    // apt-get stand-in: records each call and whether the lock had been released by then; `update` fails twice.
    writeFileSync(
      join(bin, "apt-get"),
      `#!/bin/bash
echo "$* released=$([[ -e '${released}' ]] && echo yes || echo no)" >> '${calls}'
if [[ $* == *update* ]] && (( $(grep -c update '${calls}') <= 2 )); then exit 100; fi
`,
      { mode: 0o755 },
    );
    // Another apt run holding the lock the way dpkg does (fcntl), for two seconds.
    const holder = spawn(
      PYTHON,
      [
        "-c",
        `import fcntl, time, sys
f = open(${JSON.stringify(lock)}, "a"); fcntl.lockf(f, fcntl.LOCK_EX); print("held", flush=True); time.sleep(2)
open(${JSON.stringify(released)}, "w").close(); fcntl.lockf(f, fcntl.LOCK_UN)`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => holder.stdout!.once("data", () => resolve()));
    const lib = join(root, "opt/cloudlaunch/lib.sh");
    const run = await ns.run(
      ["bash", "-c", `set -euo pipefail; source '${lib}'; step "installing python3-venv"; apt_install python3-venv`],
      env({
        PATH: `${bin}:${SYSTEM_PATH}`,
        CLOUDLAUNCH_DPKG_LOCKS: lock,
        CLOUDLAUNCH_RETRY_DELAY_S: "0",
      }),
      60_000,
    );
    expect(run.status).toBe(0);
    expect(run.stdout.split("\n").filter(Boolean)).toEqual([
      "cloudlaunch: installing python3-venv",
      "cloudlaunch: waiting for the dpkg lock",
      "cloudlaunch: the dpkg lock is free",
      "cloudlaunch: installing python3-venv: attempt 1 failed (exit 100), retrying in 0s",
      "cloudlaunch: installing python3-venv: attempt 2 failed (exit 100), retrying in 0s",
    ]);
    const log = readFileSync(calls, "utf8").trim().split("\n");
    expect(log).toEqual([
      ...Array(3).fill("-o DPkg::Lock::Timeout=600 update -q released=yes"),
      "-o DPkg::Lock::Timeout=600 install -y -q python3-venv released=yes",
    ]);
    expect(existsSync(released)).toBe(true);
  }, 90_000);
});
