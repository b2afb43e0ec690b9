// What cloudlaunch remembers locally about the clusters it launched: enough to find them again (provider, region,
// project/resource group) so `status NAME` needs no flags. The cloud's ownership tags stay the source of truth.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProviderTarget } from "./providers/index.js";
import { cloudlaunchHome, clusterConfigDir } from "./bootstrap/paths.js";

export interface ClusterRecord extends ProviderTarget {
  name: string;
  specFile?: string;
  /** TLS on (the default) or off: decides tls:// or tcp:// in the printed address. */
  security?: boolean;
  createdAt: string;
  /** The spec's ssh settings (user, public key file), for `cloudlaunch ssh`. */
  ssh?: { user?: string; public_key_file?: string; key_name?: string };
  /** What a local client needs (image's Python, pinned Dask), printed by `status`. */
  client?: { image: string; python?: string; dask: string };
  /** The highest-numbered worker name ever planned, so a deleted worker's name is not handed out again. */
  lastWorker?: string;
}

const clusterDir = (name: string) => clusterConfigDir(name);

export function readRecord(name: string): ClusterRecord | undefined {
  try {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) return undefined;
    return JSON.parse(readFileSync(join(clusterDir(name), "cluster.json"), "utf8"));
  } catch {
    return undefined;
  }
}

export function writeRecord(record: ClusterRecord): void {
  mkdirSync(clusterDir(record.name), { recursive: true, mode: 0o700 });
  writeFileSync(join(clusterDir(record.name), "cluster.json"), JSON.stringify(record, null, 2) + "\n", { mode: 0o600 });
}

export function forgetRecord(name: string): void {
  rmSync(clusterDir(name), { recursive: true, force: true });
}

export function allRecords(): ClusterRecord[] {
  let names: string[];
  try {
    names = readdirSync(join(cloudlaunchHome(), "clusters"));
  } catch {
    return [];
  }
  return names.map(readRecord).filter((r): r is ClusterRecord => !!r);
}
