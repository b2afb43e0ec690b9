// Reading cloudlaunch's instances back: label-filtered aggregatedList (every zone in one paginated listing), and
// the translation of a Compute instance into a NodeInfo. listNodes, which `status` runs, reads through the
// discovery-based client, the launch's own bookkeeping through @google-cloud/compute.
import type { protos } from "@google-cloud/compute";
import type { RoleName } from "../../spec/schema.js";
import { CLUSTER_TAG, NODE_TAG, OWNER_TAG, ROLE_TAG, type NodeInfo, type NodeState } from "../provider.js";
import type { GcpClients } from "./clients.js";
import { withRetry } from "./errors.js";
import { lastSegment, labelValue } from "./resources.js";

export type Instance = protos.google.cloud.compute.v1.IInstance;

/** How often instances are listed while nodes get to RUNNING: soon at first, then every 2 s. */
export const NODES_SETTLE_INTERVAL = { initialMs: 200, factor: 1.5, maxMs: 2000 };

const STATES: Record<string, NodeState> = {
  PROVISIONING: "pending",
  STAGING: "pending",
  REPAIRING: "pending",
  RUNNING: "running",
  STOPPING: "stopping",
  SUSPENDING: "stopping",
  SUSPENDED: "stopped",
  TERMINATED: "stopped",
};

/** What toNodeInfo reads of an instance, as either client gives it (NODE_INFO_FIELDS names the same). */
export interface NodeFields {
  name?: string | null;
  labels?: Record<string, string> | null;
  status?: string | null;
  machineType?: string | null;
  zone?: string | null;
  lastStartTimestamp?: string | null;
  creationTimestamp?: string | null;
  scheduling?: { provisioningModel?: string | null } | null;
  networkInterfaces?: { networkIP?: string | null; accessConfigs?: { natIP?: string | null }[] | null }[] | null;
}

export function toNodeInfo(inst: NodeFields): NodeInfo {
  const labels = inst.labels ?? {};
  const nic = inst.networkInterfaces?.[0];
  return {
    name: labels[NODE_TAG] || String(inst.name),
    cluster: labels[CLUSTER_TAG] ?? "",
    role: (labels[ROLE_TAG] === "scheduler" ? "scheduler" : "worker") as RoleName,
    id: String(inst.name),
    state: STATES[String(inst.status)] ?? "unknown",
    instanceType: lastSegment(inst.machineType),
    zone: lastSegment(inst.zone),
    publicIp: nic?.accessConfigs?.[0]?.natIP || undefined,
    privateIp: nic?.networkIP || undefined,
    launchTime: inst.lastStartTimestamp || inst.creationTimestamp || undefined,
    spot: inst.scheduling?.provisioningModel === "SPOT",
  };
}

/**
 * The fields toNodeInfo reads, as a partial-response mask (the `fields` parameter): a listing for NodeInfo is answered
 * without each instance's metadata (the cloud-init user data), disks and the rest, which Compute would otherwise
 * send and the client would decode, instance by instance. Keep it in step with toNodeInfo (test/providers/gcp.test.ts).
 * https://cloud.google.com/compute/docs/api/how-tos/performance#partial-response
 */
export const NODE_INFO_FIELDS =
  "items/*/instances(name,labels,status,machineType,zone,lastStartTimestamp,creationTimestamp," +
  "scheduling/provisioningModel,networkInterfaces/networkIP,networkInterfaces/accessConfigs/natIP)," +
  "items/*/warning,nextPageToken,unreachables";

/** The filter expression selecting cloudlaunch's instances (and disks), optionally of one cluster. */
function ownershipFilter(cluster?: string): string {
  const owner = `labels.${OWNER_TAG} = "true"`;
  return cluster ? `(${owner}) AND (labels.${CLUSTER_TAG} = "${labelValue(cluster)}")` : owner;
}

/** Every cloudlaunch instance of the region (of one cluster if given), across zones, all pages, whole. */
export async function listInstances(
  clients: GcpClients,
  project: string,
  region: string,
  cluster?: string,
): Promise<Instance[]> {
  return withRetry("list instances", async () => {
    const found: Instance[] = [];
    const pages = clients.instances.aggregatedListAsync(
      { project, filter: ownershipFilter(cluster), maxResults: 500, returnPartialSuccess: true },
      { autoPaginate: false },
    );
    for await (const [scope, list] of pages) {
      if (scope.startsWith(`zones/${region}-`)) found.push(...(list.instances ?? []));
    }
    return found;
  });
}

/**
 * The nodes' instances of the region (of one cluster if given), as listNodes reads them: the same label-filtered
 * aggregatedList, masked to NODE_INFO_FIELDS, through the discovery-based client (clients.ts).
 */
export async function listNodeInstances(
  clients: GcpClients,
  project: string,
  region: string,
  cluster?: string,
): Promise<NodeFields[]> {
  return withRetry("list instances", async () => {
    const found: NodeFields[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await clients.discovery.instances.aggregatedList({
        project,
        filter: ownershipFilter(cluster),
        maxResults: 500,
        returnPartialSuccess: true,
        fields: NODE_INFO_FIELDS,
        pageToken,
      });
      for (const [scope, list] of Object.entries(data.items ?? {})) {
        if (scope.startsWith(`zones/${region}-`)) found.push(...(list.instances ?? []));
      }
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return found;
  });
}

export async function listDisks(
  clients: GcpClients,
  project: string,
  region: string,
  cluster: string,
): Promise<string[]> {
  return withRetry("list disks", async () => {
    const found: string[] = [];
    const pages = clients.disks.aggregatedListAsync(
      { project, filter: ownershipFilter(cluster), maxResults: 500 },
      { autoPaginate: false },
    );
    for await (const [scope, list] of pages) {
      if (scope.startsWith(`zones/${region}-`))
        found.push(...(list.disks ?? []).map((d) => `disk ${d.name} (${lastSegment(d.zone)})`));
    }
    return found;
  });
}
