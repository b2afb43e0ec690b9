// What cloudlaunch remembers locally about the clusters it launched: enough to find them again (provider, region,
// project/resource group) so `status NAME` needs no flags. The cloud's ownership tags stay the source of truth.
// A record is checked when read: a corrupt, foreign or hand-edited file is one clear error naming it, never a crash.
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { LocalStateError } from "./errors.js";
import type { ProviderTarget } from "./providers/index.js";
import { clusterConfigDir } from "./bootstrap/paths.js";

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

// The fields cloudlaunch relies on; others (written by a newer version) are let through.
const RecordShape = Type.Object({
  name: Type.String(),
  provider: Type.Union([Type.Literal("aws"), Type.Literal("gcp"), Type.Literal("azure")]),
  region: Type.String({ minLength: 1 }),
  zone: Type.Optional(Type.String()),
  gcp: Type.Optional(Type.Object({ project: Type.String() })),
  azure: Type.Optional(Type.Object({ resource_group: Type.String(), subscription_id: Type.Optional(Type.String()) })),
  specFile: Type.Optional(Type.String()),
  security: Type.Optional(Type.Boolean()),
  createdAt: Type.String(),
  lastWorker: Type.Optional(Type.String()),
});

const CLUSTER_NAME = /^[a-z][a-z0-9-]*$/;
const recordFile = (name: string, home: string) => join(clusterConfigDir(name, home), "cluster.json");

function unreadable(file: string, why: string): LocalStateError {
  return new LocalStateError(
    `${file} is not a cluster record cloudlaunch can use (${why}). Move it away or delete it (cloudlaunch writes it ` +
      "again on the next up; the cloud's tags stay the source of truth), or put back a good copy.",
  );
}

/** The record of a cluster, undefined when there is none; a file that is there but wrong is an error. */
export function readRecord(name: string, home: string): ClusterRecord | undefined {
  if (!CLUSTER_NAME.test(name)) return undefined;
  const file = recordFile(name, home);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new LocalStateError(`Cannot read ${file}: ${code ?? (err as Error).message}. Check its permissions.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw unreadable(file, "not valid JSON");
  }
  const problem = Value.Errors(RecordShape, parsed).First();
  if (problem) throw unreadable(file, `${problem.path || "the document"}: ${problem.message}`);
  const record = parsed as ClusterRecord;
  if (record.name !== name) throw unreadable(file, `it describes cluster "${record.name}", not ${name}`);
  return record;
}

/** Fails (LocalStateError) unless the record and TLS files of `name` can be written: checked before the cloud is changed. */
export function assertRecordWritable(name: string, home: string): void {
  const dir = clusterConfigDir(name, home);
  // The nearest directory that exists decides: files and missing directories are created under it.
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  const targets = existsSync(dir) ? [dirname(dir), dir, ...readdirSync(dir).map((f) => join(dir, f))] : [probe];
  for (const path of targets) {
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw new LocalStateError(
        `cloudlaunch cannot write ${path}, where it keeps the record and TLS material of cluster ${name}; nothing was changed in the cloud. ` +
          "Make it writable for your user, or point CLOUDLAUNCH_HOME at a writable directory.",
      );
    }
  }
}

export function writeRecord(record: ClusterRecord, home: string): void {
  const file = recordFile(record.name, home);
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  } catch (err) {
    throw new LocalStateError(
      `Cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Make it writable, or set CLOUDLAUNCH_HOME.`,
    );
  }
}

export function forgetRecord(name: string, home: string): void {
  try {
    rmSync(clusterConfigDir(name, home), { recursive: true, force: true });
  } catch (err) {
    throw new LocalStateError(
      `Cannot remove ${clusterConfigDir(name, home)}: ${(err as NodeJS.ErrnoException).code}. Delete it by hand.`,
    );
  }
}

export function allRecords(home: string): ClusterRecord[] {
  let names: string[];
  try {
    names = readdirSync(join(home, "clusters"));
  } catch {
    return [];
  }
  return names
    .filter((n) => CLUSTER_NAME.test(n) && existsSync(recordFile(n, home)))
    .map((n) => readRecord(n, home))
    .filter((r): r is ClusterRecord => !!r);
}
