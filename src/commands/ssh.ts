// ssh <cluster> [node] [-- command...]: the system ssh to a node's public IP as the spec's user, with the private key
// beside ssh.public_key_file (or whatever the agent offers). --print shows the exact command instead of running it.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CloudError, UsageError } from "../errors.js";
import { fullName } from "../apply/lifecycle.js";
import { clusterConfigDir } from "../bootstrap/paths.js";
import { loadProvider } from "../providers/index.js";
import type { NodeInfo } from "../providers/provider.js";
import { readRecord } from "../records.js";
import { loadSpecFile } from "../spec/load.js";
import type { ResolvedSpec } from "../spec/schema.js";
import { resolveSsh } from "../spec/resolve.js";
import { makeOutput } from "../render/output.js";
import { resolveTargets, type TargetFlags } from "./target.js";
import type { Settings } from "../settings.js";

export interface SshTarget {
  cluster: string;
  node: NodeInfo;
  user: string;
  /** The private key to offer; undefined leaves the choice to ssh (agent, ~/.ssh/id_*). */
  identityFile?: string;
  /** Settings.home: the cluster's known_hosts is kept there. */
  home: string;
}

/** The argv of the ssh run. Cloud IPs are reused, so host keys go to a per-cluster known_hosts, accepted on first use. */
export function sshArgv(t: SshTarget, remote: string[]): string[] {
  if (!t.node.publicIp) throw new CloudError(`${t.node.name} has no public IP (state ${t.node.state}); start it first`);
  return [
    "ssh",
    ...(t.identityFile ? ["-i", t.identityFile, "-o", "IdentitiesOnly=yes"] : []),
    "-o",
    "StrictHostKeyChecking=accept-new",
    "-o",
    `UserKnownHostsFile=${join(clusterConfigDir(t.cluster, t.home), "known_hosts")}`,
    "--",
    `${t.user}@${t.node.publicIp}`,
    ...remote,
  ];
}

/** The private key of `key.pub` is `key` (ssh-keygen's naming); without it the agent has to hold the key. */
export function privateKeyFor(publicKeyFile: string | undefined): string | undefined {
  if (!publicKeyFile?.endsWith(".pub")) return undefined;
  const key = publicKeyFile.slice(0, -".pub".length);
  return existsSync(key) ? key : undefined;
}

type Options = TargetFlags & { json?: boolean; print?: boolean };

export async function ssh(cluster: string, operands: string[], options: Options, settings: Settings): Promise<number> {
  // Everything after `--` is the remote command; a node name can only come before it.
  const dashes = process.argv.indexOf("--");
  const remote = dashes >= 0 ? process.argv.slice(dashes + 1) : [];
  const nodeName = operands.length > remote.length ? operands[0] : undefined;
  const sshSpec = sshSettings(cluster, options, settings);
  const provider = await loadProvider(resolveTargets(cluster, options, settings)[0], settings);
  const nodes = (await provider.listNodes(cluster)).filter((n) => n.state !== "terminated");
  const node = nodeName
    ? nodes.find((n) => n.name === fullName(cluster, nodeName))
    : nodes.find((n) => n.role === "scheduler");
  if (!node)
    throw new UsageError(
      `${cluster} has no node ${nodeName ?? "scheduler"}${nodes.length ? ` (nodes: ${nodes.map((n) => n.name).join(", ")})` : ""}`,
    );
  const argv = sshArgv(
    {
      cluster,
      node,
      user: sshSpec.user,
      identityFile: privateKeyFor(sshSpec.public_key_file),
      home: settings.home,
    },
    remote,
  );
  if (options.print) {
    const out = makeOutput(!!options.json);
    out.print(out.json ? JSON.stringify({ argv }) : argv.map(shellWord).join(" "));
    return 0;
  }
  const child = spawn(argv[0], argv.slice(1), { stdio: "inherit" });
  return new Promise((resolve, reject) => {
    child.on("error", (err) => reject(new CloudError(`could not run ssh: ${err.message}; is OpenSSH installed?`)));
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/** The spec's ssh block: --spec, else the one `up` recorded. */
function sshSettings(cluster: string, options: Options, settings: Settings): ResolvedSpec["ssh"] {
  // Only to find the user and the key: a missing public key file leaves the choice of key to the agent.
  if (options.spec) return loadSpecFile(options.spec, "locate", settings).spec.ssh;
  return resolveSsh(readRecord(cluster, settings.home)?.ssh);
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
