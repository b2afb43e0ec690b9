// The shipped units and the lifetime timer, as written on a node, pass `systemd-analyze verify` in a scratch root
// (a copy of this machine's system units plus the rendered files), and the timer fires max_lifetime from now.
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderUserData } from "../../src/bootstrap/index.js";
import { ensureClusterTls } from "../../src/bootstrap/tls.js";
import { inputFor, tempHome } from "./fixtures.js";
import { describeWithTools, materialize, parseWithPyYaml, SYSTEM_PATH, TOOLS } from "./tools.js";

describeWithTools("systemd units", [TOOLS.systemdAnalyze, TOOLS.pyyaml], () => {
  const home = tempHome();
  const root = mkdtempSync(join(tmpdir(), "cloudlaunch-systemd-"));
  const unitDir = join(root, "etc/systemd/system");
  afterAll(() => {
    home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  beforeAll(async () => {
    const tls = await ensureClusterTls("demo", home.env);
    materialize(
      parseWithPyYaml(
        renderUserData(inputFor({ provider: "aws", role: "worker", tls: true }, tls, { max_lifetime: "8h" })),
      ),
      root,
    );
    // What verify resolves inside --root: the targets the units name, and the binaries they run.
    cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true });
    mkdirSync(join(root, "usr/bin"), { recursive: true });
    copyFileSync("/usr/bin/systemctl", join(root, "usr/bin/systemctl"));
  });

  function verify(...units: string[]): { status: number | null; output: string } {
    const run = spawnSync("systemd-analyze", ["verify", `--root=${root}`, ...units.map((u) => join(unitDir, u))], {
      encoding: "utf8",
      env: { PATH: SYSTEM_PATH },
    });
    return { status: run.status, output: run.stdout + run.stderr };
  }

  test("cloudlaunch-dask.service and cloudlaunch-lifetime.service verify cleanly", () => {
    expect(verify("cloudlaunch-dask.service", "cloudlaunch-lifetime.service")).toEqual({ status: 0, output: "" });
  });

  test("arm-lifetime.sh writes a timer that verifies and fires max_lifetime from now", () => {
    const before = Date.now();
    const run = spawnSync(join(root, "opt/cloudlaunch/arm-lifetime.sh"), [unitDir, "480"], {
      encoding: "utf8",
      env: { PATH: SYSTEM_PATH },
    });
    expect(run.status).toBe(0);
    expect(verify("cloudlaunch-lifetime.timer")).toEqual({ status: 0, output: "" });
    const timer = readFileSync(join(unitDir, "cloudlaunch-lifetime.timer"), "utf8");
    expect(timer).toMatch(/^Persistent=true$/m);
    const [, calendar] = /^OnCalendar=(.+)$/m.exec(timer)!;
    const fires = Date.parse(calendar.replace(" UTC", "Z").replace(" ", "T"));
    expect(fires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 480 * 60_000);
    expect(fires).toBeLessThanOrEqual(Date.now() + 480 * 60_000);
  });

  test("control: verify does report a unit it cannot run", () => {
    rmSync(join(root, "usr/bin/systemctl"));
    expect(verify("cloudlaunch-lifetime.service").output).toMatch(/systemctl is not executable/);
  });
});
