// Every rendered user data passes cloud-init's own schema validator, and every shell file in it passes bash -n
// and shellcheck: scheduler/worker × TLS on/off × aws/gcp/azure, plain and gzip-compressed.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderUserData } from "../../src/bootstrap/index.js";
import { ensureClusterTls, type ClusterTls } from "../../src/bootstrap/tls.js";
import { inputFor, tempHome, variantName, VARIANTS } from "./fixtures.js";
import { describeWithTools, filesByPath, parseWithPyYaml, SYSTEM_PATH, TOOLS } from "./tools.js";

const SHELL_FILES = [
  "/opt/cloudlaunch/bootstrap.sh",
  "/opt/cloudlaunch/lib.sh",
  "/opt/cloudlaunch/arm-lifetime.sh",
  "/opt/cloudlaunch/setup-dask.sh",
  "/opt/cloudlaunch/start-dask.sh",
  "/opt/cloudlaunch/scheduler-address.sh",
  "/etc/cloudlaunch/cloudlaunch.env",
];
/** Written only under idle_timeout (gcp-delete-self.sh on GCP only). */
const IDLE_SHELL_FILES = [
  "/opt/cloudlaunch/idle-run.sh",
  "/opt/cloudlaunch/idle-poweroff.sh",
  "/opt/cloudlaunch/gcp-delete-self.sh",
];

describeWithTools(
  "rendered user data passes the real validators",
  [TOOLS.cloudInit, TOOLS.shellcheck, TOOLS.pyyaml],
  () => {
    const home = tempHome();
    const work = mkdtempSync(join(tmpdir(), "cloudlaunch-validate-"));
    let tls: ClusterTls;
    beforeAll(async () => {
      tls = await ensureClusterTls("demo", home.env);
    });
    afterAll(() => {
      home.cleanup();
      rmSync(work, { recursive: true, force: true });
    });

    function check(name: string, userData: string): void {
      const file = join(work, `${name.replace(/[^a-z0-9]+/gi, "-")}.yaml`);
      writeFileSync(file, userData);
      // cloud-init 22.4 (Debian 12): `cloud-init schema --config-file FILE` exits non-zero on any schema error.
      const schema = spawnSync("cloud-init", ["schema", "--config-file", file], {
        encoding: "utf8",
        env: { PATH: SYSTEM_PATH },
      });
      expect({ status: schema.status, output: schema.stdout + schema.stderr }).toEqual({
        status: 0,
        output: expect.stringContaining("Valid cloud-config"),
      });

      const files = filesByPath(parseWithPyYaml(userData));
      for (const path of [...SHELL_FILES, ...IDLE_SHELL_FILES.filter((p) => files.has(p))]) {
        const text = files.get(path);
        expect(text).toBeDefined();
        const script = join(work, `${name.replace(/[^a-z0-9]+/gi, "-")}-${path.split("/").pop()}`);
        writeFileSync(script, text!);
        execFileSync("bash", ["-n", script], { env: { PATH: SYSTEM_PATH } });
        const lint = spawnSync("shellcheck", ["--shell=bash", "--severity=style", script], {
          encoding: "utf8",
          env: { PATH: SYSTEM_PATH },
        });
        expect({ path, status: lint.status, output: lint.stdout }).toEqual({ path, status: 0, output: "" });
      }
    }

    test.each(VARIANTS.map((v) => [variantName(v), v] as const))("%s", (name, v) => {
      const userData = renderUserData(inputFor(v, tls));
      expect(userData).not.toContain("gz+b64");
      check(name, userData);
    });

    test.each(["aws", "gcp", "azure"] as const)("with idle_timeout on %s, the idle scripts pass too", (provider) => {
      const userData = renderUserData(inputFor({ provider, role: "worker", tls: true }, tls, { idle_timeout: "30m" }));
      const written = [...filesByPath(parseWithPyYaml(userData)).keys()].filter((p) => IDLE_SHELL_FILES.includes(p));
      expect(written).toEqual(IDLE_SHELL_FILES.filter((p) => provider === "gcp" || !p.includes("gcp-")));
      check(`${provider} idle`, userData);
    });

    test("control: the validator does reject a mode written as a YAML integer", () => {
      const file = join(work, "control.yaml");
      writeFileSync(file, "#cloud-config\nwrite_files:\n  - path: /etc/x\n    permissions: 0600\n    content: x\n");
      expect(
        spawnSync("cloud-init", ["schema", "--config-file", file], { env: { PATH: SYSTEM_PATH } }).status,
      ).not.toBe(0);
    });

    test("the gzip-compressed form (EC2, long setup commands) passes too", () => {
      const setup = Array.from(
        { length: 300 },
        (_, i) => `echo "step ${i}: preparing the data directory" >> /var/log/setup.log`,
      );
      const userData = renderUserData(
        inputFor({ provider: "aws", role: "worker", tls: true }, tls, { dask: { setup_commands: setup } }),
      );
      expect(userData).toContain("encoding: gz+b64");
      check("aws compressed", userData);
    });
  },
);
