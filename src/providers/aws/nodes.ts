// Reading instances: server-side tag filters and MaxResults=1000 pages (so a 10,000-instance account costs a few
// calls), the mapping to NodeInfo, and the polling loop every lifecycle change waits in.
import { type Filter, type Instance, paginateDescribeInstances } from "@aws-sdk/client-ec2";
import { CloudError } from "../../errors.js";
import { pollUntil } from "../../wait.js";
import type { RoleName } from "../../spec/schema.js";
import { CLUSTER_TAG, ROLE_TAG, type NodeInfo, type NodeState } from "../provider.js";
import type { Ec2Api } from "./client.js";
import { describeNodeFields, type NodeFields } from "./node-fields.js";
import { nodeNameOf, ownedFilters, tagsOf } from "./tags.js";

const STATES: Record<string, NodeState> = {
  pending: "pending",
  running: "running",
  stopping: "stopping",
  stopped: "stopped",
  "shutting-down": "terminating",
  terminated: "terminated",
};

export const LIVE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"];

export function toNodeInfo(inst: NodeFields): NodeInfo | undefined {
  const tags = tagsOf(inst);
  const name = nodeNameOf(inst);
  if (!name || !tags[CLUSTER_TAG] || !inst.InstanceId) return undefined;
  return {
    name,
    cluster: tags[CLUSTER_TAG],
    role: (tags[ROLE_TAG] === "scheduler" ? "scheduler" : "worker") satisfies RoleName,
    id: inst.InstanceId,
    state: STATES[inst.State?.Name ?? ""] ?? "unknown",
    instanceType: inst.InstanceType ?? "",
    zone: inst.Placement?.AvailabilityZone,
    publicIp: inst.PublicIpAddress,
    privateIp: inst.PrivateIpAddress,
    launchTime: inst.LaunchTime?.toISOString(),
    spot: inst.InstanceLifecycle === "spot",
    ...(inst.StateReason?.Message && inst.State?.Name !== "running" && { reason: inst.StateReason.Message }),
  };
}

/** Every instance carrying the ownership tag (and the cluster's tag when given) matching `extra` filters. */
export async function describeOwned(api: Ec2Api, cluster?: string, extra: Filter[] = []): Promise<Instance[]> {
  return api.call("DescribeInstances", async (ec2) => {
    const out: Instance[] = [];
    const pages = paginateDescribeInstances(
      { client: ec2, pageSize: 1000 },
      { Filters: [...ownedFilters(cluster), ...extra] },
    );
    for await (const page of pages) for (const r of page.Reservations ?? []) out.push(...(r.Instances ?? []));
    return out;
  });
}

/** The nodes of one cluster or all, from pages of `pageSize` instances (EC2 allows 5 to 1000). */
export async function listNodes(api: Ec2Api, cluster?: string, pageSize = 1000): Promise<NodeInfo[]> {
  const instances = await api.call("DescribeInstances", (ec2) =>
    describeNodeFields(ec2, { Filters: ownedFilters(cluster), MaxResults: pageSize }),
  );
  const nodes = instances.map(toNodeInfo).filter((n): n is NodeInfo => !!n);
  if (nodes.length < 2) return nodes;
  // `worker-2` before `worker-10`. One collator, where localeCompare with options builds one per comparison; none
  // for a listing with nothing to sort (building one costs ~15 ms).
  const byNumber = new Intl.Collator("en", { numeric: true });
  return nodes.sort((a, b) => a.cluster.localeCompare(b.cluster) || byNumber.compare(a.name, b.name));
}

export interface WaitOptions {
  pollMs: number;
  timeoutMs: number;
}

/**
 * Polls the instances of `cluster` (a few paginated calls per round, never one per instance) until `done` holds for
 * every id; `failed` explains an instance that can no longer get there. Returns the last view of those instances.
 */
export async function waitFor(
  api: Ec2Api,
  cluster: string,
  ids: string[],
  what: {
    label: string;
    done: (i: Instance) => boolean;
    failed?: (i: Instance) => string | undefined;
    /** An instance EC2 no longer lists has got there (terminated: EC2 lists those only for about an hour). */
    goneIsDone?: boolean;
  },
  onProgress: (done: number, total: number) => void,
  opts: WaitOptions,
): Promise<Map<string, Instance>> {
  const wanted = new Set(ids);
  let last = -1;
  let seen = new Map<string, Instance>();
  return pollUntil(
    async () => {
      seen = new Map();
      for (const inst of await describeOwned(api, cluster))
        if (wanted.has(inst.InstanceId ?? "")) seen.set(inst.InstanceId!, inst);
      const gone = what.goneIsDone ? [...wanted].filter((id) => !seen.has(id)).length : 0;
      const done = [...seen.values()].filter(what.done).length + gone;
      if (done !== last) onProgress(done, wanted.size);
      last = done;
      if (done === wanted.size) return seen;
      for (const inst of seen.values()) {
        const why = !what.done(inst) && what.failed?.(inst);
        if (why)
          throw new CloudError(
            `${nodeNameOf(inst) ?? inst.InstanceId} (${inst.InstanceId}) ${why}`,
            "other",
            "StateChange",
          );
      }
      return undefined;
    },
    {
      intervalMs: opts.pollMs,
      timeoutMs: opts.timeoutMs,
      onTimeout: () => {
        const late = [...wanted].filter((id) => (seen.has(id) ? !what.done(seen.get(id)!) : !what.goneIsDone));
        const named = late
          .slice(0, 10)
          .map(
            (id) =>
              `${(seen.get(id) && nodeNameOf(seen.get(id)!)) ?? id} (${seen.get(id)?.State?.Name ?? "not listed"})`,
          );
        throw new CloudError(
          `Gave up after ${opts.timeoutMs / 1000} s (CLOUDLAUNCH_AWS_WAIT_S) waiting for ${named.join(", ")}${late.length > 10 ? ` and ${late.length - 10} more` : ""} ` +
            `of ${cluster} to be ${what.label}; run the command again, or see \`cloudlaunch status ${cluster}\`.`,
          "other",
        );
      },
    },
  );
}
