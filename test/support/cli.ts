// Runs the built CLI as a user would: a separate process, its own HOME and config dir, no cloud credentials
// unless the test passes them.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "..", "..");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A HOME with nothing in it: no ~/.aws, ~/.config/gcloud, ~/.azure. */
export function cleanHome(): string {
  return mkdtempSync(join(tmpdir(), "cloudlaunch-home-"));
}

const SCRUB = /^(AWS_|GOOGLE_|GCLOUD|CLOUDSDK|AZURE_|CLOUDLAUNCH_|MSI_|IDENTITY_)/;

const nodeFor = new Map<number, string>();

/**
 * A node binary another user may run. CI keeps Node 22 under root's 0700 home, where an unprivileged uid cannot
 * reach it: such a run gets a world-readable copy instead.
 */
function nodeRunnableBy(uid: number | undefined): string {
  if (uid === undefined) return process.execPath;
  let path = nodeFor.get(uid);
  if (path) return path;
  path = process.execPath;
  if (spawnSync(path, ["-e", "0"], { uid, gid: uid }).error) {
    const dir = mkdtempSync(join(tmpdir(), "cloudlaunch-node-"));
    chmodSync(dir, 0o755);
    path = join(dir, "node");
    copyFileSync(process.execPath, path);
    chmodSync(path, 0o755);
  }
  nodeFor.set(uid, path);
  return path;
}

export function cli(
  args: string[],
  opts: {
    env?: Record<string, string>;
    home?: string;
    input?: string;
    nodeArgs?: string[];
    onSpawn?: (child: ChildProcess) => void;
    uid?: number;
  } = {},
): Promise<CliResult> {
  const home = opts.home ?? cleanHome();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUB.test(k)) env[k] = v;
  Object.assign(
    env,
    { HOME: home, CLOUDLAUNCH_HOME: join(home, ".cloudlaunch"), NO_COLOR: "1", AWS_EC2_METADATA_DISABLED: "true" },
    opts.env,
  );
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      nodeRunnableBy(opts.uid),
      [...(opts.nodeArgs ?? []), join(ROOT, "bin", "cloudlaunch"), ...args],
      {
        cwd: ROOT,
        env,
        stdio: ["pipe", "pipe", "pipe"],
        ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid }),
      },
    );
    opts.onSpawn?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}
