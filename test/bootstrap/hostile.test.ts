// Hostile spec values (tags, setup commands, pip packages, names) cannot break out of where they land: asserted on
// what cloud-init's YAML parser reads and on what bash assigns when it sources the settings file.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PlanError } from "../../src/errors.js";
import { renderUserData, type UserDataInput } from "../../src/bootstrap/index.js";
import { ensureClusterTls, type ClusterTls } from "../../src/bootstrap/tls.js";
import { inputFor, tempHome } from "./fixtures.js";
import { describeWithTools, filesByPath, parseWithPyYaml, sourceSettings, SYSTEM_PATH, TOOLS } from "./tools.js";
import { resolved } from "../support/spec.js";
import type { ClusterSpec } from "../../src/spec/schema.js";

const work = mkdtempSync(join(tmpdir(), "cloudlaunch-hostile-"));
const CANARY = join(work, "pwned");

/** Each tries a different way out of YAML (structure, document markers, tags) or of shell quoting and expansion. */
const STRUCTURAL = [
  `x'; touch ${CANARY}; echo '`,
  `$(touch ${CANARY})`,
  `\`touch ${CANARY}\``,
  `"; touch ${CANARY}; "`,
  `a\nruncmd:\n  - [touch, ${CANARY}]`,
  `\n---\nbootcmd: [[touch, ${CANARY}]]\n...`,
  `|\n  - path: /etc/shadow`,
  `yes`,
  `0600`,
  `~`,
  `{{ jinja }} \${HOME} !!python/object/apply:os.system ["touch ${CANARY}"]`,
  `tab\there, bom\ufeff, é 日本 🙂`,
  `trailing backslash \\`,
  `  leading and trailing spaces  `,
  `'`,
  `''`,
];
/** Characters YAML cannot carry raw, or reads as other line breaks: these files go base64-encoded. */
const CONTROL = [`bell\u0007 escape\u001b[31m del\u007f`, `cr\r lf`, `nel\u0085 ls\u2028 ps\u2029`, `c1\u0090`];
const SETS = [
  ["printable", STRUCTURAL, undefined],
  ["control characters", [...STRUCTURAL, ...CONTROL], "b64"],
] as const;

const EXPECTED_PATHS = [
  "/etc/cloudlaunch/cloudlaunch.env",
  "/etc/cloudlaunch/node.json",
  "/opt/cloudlaunch/bootstrap.sh",
  "/opt/cloudlaunch/lib.sh",
  "/opt/cloudlaunch/arm-lifetime.sh",
  "/opt/cloudlaunch/setup-dask.sh",
  "/opt/cloudlaunch/start-dask.sh",
  "/opt/cloudlaunch/scheduler-address.sh",
  "/etc/systemd/system/cloudlaunch-dask.service",
  "/etc/systemd/system/cloudlaunch-lifetime.service",
  "/etc/cloudlaunch/tls/ca.pem",
  "/etc/cloudlaunch/tls/node.pem",
  "/etc/cloudlaunch/tls/node-key.pem",
];

describeWithTools("hostile spec values stay data", [TOOLS.pyyaml, TOOLS.cloudInit], () => {
  const home = tempHome();
  let tls: ClusterTls;
  beforeAll(async () => {
    tls = await ensureClusterTls("demo", home.env);
  });
  afterAll(() => {
    home.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  function hostileInput(hostile: readonly string[]): UserDataInput {
    // GCP's larger user-data limit keeps these documents plain (the encodings under test); EC2's 16 KiB would
    // compress the bigger ones since the worker scripts grew (scheduler-address.sh, lib.sh).
    const input = inputFor({ provider: "gcp", role: "worker", tls: true }, tls, {
      tags: Object.fromEntries(hostile.map((value, i) => [i % 2 ? value : `key ${i}: ${value}`, value])),
      dask: {
        pip_packages: hostile.filter((v) => !v.startsWith("-") && v.trim() !== ""),
        setup_commands: [...hostile],
      },
    });
    return { ...input, nodeName: hostile[0] };
  }

  test.each(SETS)("%s: cloud-init reads exactly the intended document", (_, hostile, encoding) => {
    const userData = renderUserData(hostileInput(hostile));
    const file = join(work, "hostile.yaml");
    writeFileSync(file, userData);
    expect(spawnSync("cloud-init", ["schema", "--config-file", file], { env: { PATH: SYSTEM_PATH } }).status).toBe(0);
    const config = parseWithPyYaml(userData);
    expect(Object.keys(config).sort()).toEqual(["output", "runcmd", "write_files"]);
    expect(config.runcmd).toEqual([["/opt/cloudlaunch/bootstrap.sh"]]);
    expect(config.write_files.map((f) => f.path)).toEqual(EXPECTED_PATHS);
    for (const f of config.write_files) expect(typeof f.permissions).toBe("string");
    const settings = config.write_files.find((f) => f.path === "/etc/cloudlaunch/cloudlaunch.env");
    expect(settings?.encoding).toBe(encoding);
    const node = JSON.parse(filesByPath(config).get("/etc/cloudlaunch/node.json")!);
    expect(node.tags).toEqual(hostileInput(hostile).spec.tags);
    expect(node.node).toBe(hostile[0]);
  });

  test.each(SETS)(
    "%s: bash assigns every value verbatim and runs nothing while sourcing the settings",
    (_, hostile) => {
      const input = hostileInput(hostile);
      const sourced = sourceSettings(
        filesByPath(parseWithPyYaml(renderUserData(input))).get("/etc/cloudlaunch/cloudlaunch.env")!,
      );
      expect(sourced.vars.CLOUDLAUNCH_NODE).toBe(hostile[0]);
      expect(sourced.vars.DASK_SCHEDULER_ADDRESS).toBe("tls://10.1.2.3:8786");
      expect(sourced.pip).toEqual(input.spec.dask!.pip_packages);
      expect(sourced.setup).toEqual(hostile);
      expect(existsSync(CANARY)).toBe(false);
    },
  );

  test("values a shell or pip cannot carry safely are refused with a PlanError", () => {
    const base = inputFor({ provider: "gcp", role: "scheduler", tls: false }, tls);
    const withDask = (dask: ClusterSpec["dask"]) => ({ ...base, spec: resolved({ ...base.spec, dask }) });
    expect(() => renderUserData(withDask({ setup_commands: ["echo a\0b"] }))).toThrow(PlanError);
    expect(() => renderUserData(withDask({ setup_commands: ["lone \ud800 surrogate"] }))).toThrow(PlanError);
    expect(() => renderUserData(withDask({ pip_packages: ["--index-url=http://evil.example/simple"] }))).toThrow(
      PlanError,
    );
    expect(() => renderUserData({ ...base, role: "worker", schedulerHost: "10.0.0.1; touch x" })).toThrow(PlanError);
  });
});
