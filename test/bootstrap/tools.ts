// What the bootstrap tests need from the machine, and how they read rendered user data: with PyYAML under
// Debian's /usr/bin/python3, the parser cloud-init itself uses (the python3 first on PATH may be another one).
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";

export const PYTHON = "/usr/bin/python3";
/** A PATH without the developer's interpreters: Debian's python3 and dask, coreutils, util-linux. */
export const SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

export interface Tool {
  /** The Debian package that provides it (see APT_PACKAGES). */
  pkg: string;
  probe: string[];
}

export const TOOLS = {
  cloudInit: { pkg: "cloud-init", probe: ["cloud-init", "--version"] },
  shellcheck: { pkg: "shellcheck", probe: ["shellcheck", "--version"] },
  pyyaml: { pkg: "python3-yaml", probe: [PYTHON, "-c", "import yaml"] },
  distributed: { pkg: "python3-distributed", probe: [PYTHON, "-c", "import distributed"] },
  netns: {
    pkg: "util-linux iproute2",
    probe: ["unshare", "--net", "--pid", "--mount-proc", "--fork", "ip", "link", "set", "lo", "up"],
  },
  openssl: { pkg: "openssl", probe: ["openssl", "version"] },
  systemdAnalyze: { pkg: "systemd", probe: ["systemd-analyze", "--version"] },
} satisfies Record<string, Tool>;

function available(tool: Tool): boolean {
  const result = spawnSync(tool.probe[0], tool.probe.slice(1), {
    stdio: "ignore",
    env: { ...process.env, PATH: SYSTEM_PATH },
  });
  return result.status === 0;
}

/**
 * describe() when the tools are there. Without them: under CI=true a failing test naming the packages (never a
 * silent skip); elsewhere a skip with a warning.
 */
export function describeWithTools(title: string, tools: Tool[], body: () => void): void {
  const missing = tools.filter((t) => !available(t)).map((t) => t.pkg);
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  const message = `missing Debian packages: ${missing.join(" ")} (apt-get install them; see test/bootstrap/APT_PACKAGES)`;
  if (process.env.CI === "true") {
    describe(title, () =>
      test("has the tools it needs", () => {
        throw new Error(message);
      }),
    );
    return;
  }
  console.warn(`${title}: skipped, ${message}`);
  describe.skip(title, body);
}

export interface WriteFileEntry {
  path: string;
  permissions: string;
  owner?: string;
  encoding?: string;
  content: string;
}

export interface CloudConfig {
  write_files: WriteFileEntry[];
  runcmd: string[][];
  [key: string]: unknown;
}

export function parseWithPyYaml(userData: string): CloudConfig {
  const json = execFileSync(
    PYTHON,
    ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"],
    {
      input: userData,
      env: { PATH: SYSTEM_PATH },
    },
  );
  return JSON.parse(json.toString("utf8")) as CloudConfig;
}

/** The text cloud-init writes for one write_files entry. */
export function decodedContent(entry: WriteFileEntry): string {
  if (!entry.encoding) return entry.content;
  const bytes = Buffer.from(entry.content, "base64");
  if (entry.encoding === "b64") return bytes.toString("utf8");
  if (entry.encoding === "gz+b64") return gunzipSync(bytes).toString("utf8");
  throw new Error(`unexpected encoding ${entry.encoding}`);
}

export function filesByPath(config: CloudConfig): Map<string, string> {
  return new Map(config.write_files.map((f) => [f.path, decodedContent(f)]));
}

/** Writes every file under `root` (so /etc/cloudlaunch/x lands in root/etc/cloudlaunch/x) with its permissions. */
export function materialize(config: CloudConfig, root: string): void {
  for (const entry of config.write_files) {
    const target = join(root, entry.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, decodedContent(entry));
    chmodSync(target, parseInt(entry.permissions, 8));
  }
}

export interface Settings {
  vars: Record<string, string>;
  pip: string[];
  setup: string[];
}

const SETTING_NAMES = [
  "CLOUDLAUNCH_PROVIDER",
  "CLOUDLAUNCH_CLUSTER",
  "CLOUDLAUNCH_NODE",
  "CLOUDLAUNCH_ROLE",
  "CLOUDLAUNCH_VENV",
  "CLOUDLAUNCH_MAX_LIFETIME_MINUTES",
  "CLOUDLAUNCH_SHUTDOWN_ON_FAILURE_MINUTES",
  "DASK_VERSION",
  "DASK_PROTOCOL",
  "DASK_SCHEDULER_PORT",
  "DASK_DASHBOARD_PORT",
  "DASK_SCHEDULER_ADDRESS",
  "DASK_NWORKERS",
  "DASK_NTHREADS",
  "DASK_MEMORY_LIMIT",
];

/** Sources a rendered cloudlaunch.env under `set -u` in a clean bash and returns what bash holds, NUL-separated. */
export function sourceSettings(text: string): Settings {
  const dir = mkdtempSync(join(tmpdir(), "cloudlaunch-env-"));
  const file = join(dir, "cloudlaunch.env");
  writeFileSync(file, text);
  const script = `set -euo pipefail; source "$1"
    for v in ${SETTING_NAMES.join(" ")}; do printf '%s=%s\\0' "$v" "\${!v}"; done
    printf '\\0'; printf '%s\\0' "\${DASK_PIP_PACKAGES[@]}"; printf '\\0'; printf '%s\\0' "\${DASK_SETUP_COMMANDS[@]}"`;
  const run = spawnSync("bash", ["--norc", "--noprofile", "-c", script, "source-settings", file], {
    env: { PATH: SYSTEM_PATH },
    encoding: "utf8",
  });
  rmSync(dir, { recursive: true, force: true });
  if (run.status !== 0 || run.stderr !== "")
    throw new Error(`sourcing the settings failed (${run.status}): ${run.stderr}`);
  const [vars, pip, setup] = run.stdout
    .split("\0\0")
    .map((part) => part.replace(/\0$/, ""))
    .map((part) => (part === "" ? [] : part.split("\0")));
  return {
    vars: Object.fromEntries(vars.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])),
    pip,
    setup,
  };
}
