// cloudlaunch-dask.service with the idle_timeout drop-in, as written on a node, passes `systemd-analyze verify`, and
// the drop-in is only written when the spec sets idle_timeout.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderUserData } from "../../src/bootstrap/index.js";
import { describeWithTools, filesByPath, materialize, parseWithPyYaml, SYSTEM_PATH, TOOLS } from "./tools.js";
import { resolved } from "../support/spec.js";

const input = (idle?: string) => ({
  provider: "aws" as const,
  cluster: "demo",
  role: "scheduler" as const,
  nodeName: "demo-scheduler",
  vcpus: 2,
  memoryGib: 8,
  spec: resolved({ security: false, ...(idle && { idle_timeout: idle }) }),
});

describeWithTools("idle_timeout unit drop-in", [TOOLS.systemdAnalyze, TOOLS.pyyaml], () => {
  const root = mkdtempSync(join(tmpdir(), "cloudlaunch-idle-unit-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("verifies with the drop-in and runs idle-run.sh, not restarted on its idle exit", () => {
    materialize(parseWithPyYaml(renderUserData(input("30m"))), root);
    cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true });
    mkdirSync(join(root, "usr/bin"), { recursive: true });
    copyFileSync("/usr/bin/systemctl", join(root, "usr/bin/systemctl"));
    const unit = join(root, "etc/systemd/system/cloudlaunch-dask.service");
    const verify = spawnSync("systemd-analyze", ["verify", `--root=${root}`, unit], {
      encoding: "utf8",
      env: { PATH: SYSTEM_PATH },
    });
    expect({ status: verify.status, output: verify.stdout + verify.stderr }).toEqual({ status: 0, output: "" });
    const cat = spawnSync(
      "systemd-analyze",
      ["cat-config", `--root=${root}`, "systemd/system/cloudlaunch-dask.service"],
      { encoding: "utf8", env: { PATH: SYSTEM_PATH } },
    );
    if (cat.status === 0) expect(cat.stdout).toMatch(/ExecStart=\/opt\/cloudlaunch\/idle-run\.sh/);
    expect(existsSync(join(root, "opt/cloudlaunch/idle-poweroff.sh"))).toBe(true);
  });

  test("without idle_timeout nothing idle-related is written", () => {
    const files = filesByPath(parseWithPyYaml(renderUserData(input())));
    expect([...files.keys()].filter((p) => /idle/.test(p))).toEqual([]);
  });
});
