// Tags cloudlaunch puts on EC2 resources, and how an instance's node name survives a crash: a batch of k workers
// is one RunInstances call whose TagSpecifications are the same for all k instances, so the batch tag lists the k
// names and the instance's AmiLaunchIndex (0..k-1 within the reservation) picks its own. The per-node Name tag
// comes later (CreateTags), but nothing depends on it.
import type { Instance, Tag } from "@aws-sdk/client-ec2";
import type { RoleName } from "../../spec/schema.js";
import { CLUSTER_TAG, NODE_TAG, OWNER_TAG, ROLE_TAG } from "../provider.js";

const BATCH_TAG = "cloudlaunch-batch";
/** EC2 tag values are at most 256 characters. */
export const MAX_TAG_VALUE = 256;

const commonPrefix = (names: string[]) => {
  let p = names[0] ?? "";
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p;
};

/**
 * `c-worker-001 … c-worker-020, c-worker-031` → `c-worker-0:01..20/31`: the common prefix, then the suffixes with
 * runs of consecutive same-width numbers collapsed. Only characters EC2 accepts in every tag context.
 */
export function encodeBatch(names: string[]): string {
  const prefix = commonPrefix(names);
  const suffixes = names.map((n) => n.slice(prefix.length));
  const segments: string[] = [];
  for (let i = 0; i < suffixes.length; ) {
    let j = i;
    const numeric = (s: string) => /^\d+$/.test(s);
    while (
      j + 1 < suffixes.length &&
      numeric(suffixes[j]) &&
      numeric(suffixes[j + 1]) &&
      suffixes[j + 1].length === suffixes[i].length &&
      Number(suffixes[j + 1]) === Number(suffixes[j]) + 1
    ) {
      j++;
    }
    segments.push(j > i ? `${suffixes[i]}..${suffixes[j]}` : suffixes[i]);
    i = j + 1;
  }
  return `${prefix}:${segments.join("/")}`;
}

export function decodeBatch(value: string): string[] {
  const at = value.lastIndexOf(":");
  if (at < 0) return [];
  const prefix = value.slice(0, at);
  return value
    .slice(at + 1)
    .split("/")
    .flatMap((segment) => {
      const range = /^(\d+)\.\.(\d+)$/.exec(segment);
      if (!range) return [prefix + segment];
      const width = range[1].length;
      const out: string[] = [];
      for (let n = Number(range[1]); n <= Number(range[2]); n++) out.push(prefix + String(n).padStart(width, "0"));
      return out;
    });
}

export function tagList(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * Tags of every instance and volume of one RunInstances call: user tags first, so ours win on a clash. A batch
 * whose instances will not be named one by one carries the range of its names as its Name.
 */
export function launchTags(
  cluster: string,
  role: RoleName,
  names: string[],
  userTags: Record<string, string> = {},
  nameEach = true,
): Record<string, string> {
  // Validation rejects reserved keys; dropping them here too keeps node identity out of the spec's reach.
  const user = Object.fromEntries(Object.entries(userTags).filter(([k]) => !/^cloudlaunch-/i.test(k) && k !== "Name"));
  const tags: Record<string, string> = { ...user, [OWNER_TAG]: "true", [CLUSTER_TAG]: cluster, [ROLE_TAG]: role };
  if (names.length === 1) return Object.assign(tags, { Name: names[0], [NODE_TAG]: names[0] });
  tags[BATCH_TAG] = encodeBatch(names);
  if (!nameEach) tags.Name = `${names[0]}..${names.at(-1)}`.slice(0, MAX_TAG_VALUE);
  return tags;
}

export const nodeTags = (name: string) => ({ Name: name, [NODE_TAG]: name });

export function tagsOf(inst: { Tags?: Tag[] }): Record<string, string> {
  return Object.fromEntries((inst.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}

/** The names of the batch last asked about: a listing gives the instances of one batch together, each of which would
 * otherwise decode all of its batch's names (a 1000-node listing: 100,000 names). */
let lastBatch: { value: string; names: string[] } | undefined;
function decodedBatch(value: string): string[] {
  if (lastBatch?.value !== value) lastBatch = { value, names: decodeBatch(value) };
  return lastBatch.names;
}

/** The node name of an instance: its node tag, else its slot in the batch tag, else its Name tag. */
export function nodeNameOf(inst: Pick<Instance, "Tags" | "AmiLaunchIndex">): string | undefined {
  const tags = tagsOf(inst);
  if (tags[NODE_TAG]) return tags[NODE_TAG];
  if (tags[BATCH_TAG] && inst.AmiLaunchIndex !== undefined) {
    const name = decodedBatch(tags[BATCH_TAG])[inst.AmiLaunchIndex];
    if (name) return name;
  }
  return tags.Name && !tags[BATCH_TAG] ? tags.Name : undefined;
}

/** The DescribeInstances / DescribeVolumes / DescribeSecurityGroups filters for "ours", of one cluster or all. */
export function ownedFilters(cluster?: string) {
  const filters = [{ Name: `tag:${OWNER_TAG}`, Values: ["true"] }];
  if (cluster) filters.push({ Name: `tag:${CLUSTER_TAG}`, Values: [cluster] });
  return filters;
}
