// Which worker nodes have joined the Dask cluster, from what the scheduler's HTTP routes say about its workers.
import type { NodeInfo } from "../providers/provider.js";
import { type DaskWorker, registeredWorkers, workerCounts } from "./dask-http.js";

/**
 * Which worker nodes have a registered worker: by name (`--name <node>`; `<node>-<i>` with several processes),
 * else by host when exactly one node has that private address (AWS hostnames are ip-10-..., not node names).
 */
export function connectedNodes(nodes: NodeInfo[], registered: DaskWorker[]): Set<string> {
  const byIp = new Map<string, NodeInfo[]>();
  for (const n of nodes) if (n.privateIp) byIp.set(n.privateIp, [...(byIp.get(n.privateIp) ?? []), n]);
  const connected = new Set<string>();
  for (const w of registered) {
    const named = nodes.find((n) => w.name === n.name || w.name.startsWith(`${n.name}-`));
    const hosted = byIp.get(w.host);
    const node = named ?? (hosted?.length === 1 ? hosted[0] : undefined);
    if (node) connected.add(node.name);
  }
  return connected;
}

/**
 * The worker nodes that have joined: named when the identity lists every worker. Newer distributed releases may
 * cap the identity's worker list (dask/distributed#9045 capped scheduler_info at five); when it lists fewer workers
 * than counts.json has, the count of distinct worker hosts (one per node) stands in for the number of nodes.
 */
export async function joinedNodes(
  dashboardUrl: string,
  nodes: NodeInfo[],
  timeoutMs: number,
): Promise<{ names: Set<string>; count: number }> {
  const [registered, counts] = await Promise.all([
    registeredWorkers(dashboardUrl, timeoutMs),
    workerCounts(dashboardUrl, timeoutMs),
  ]);
  const names = connectedNodes(nodes, registered);
  const truncated = registered.length < counts.workers;
  return { names, count: truncated ? Math.max(names.size, Math.min(counts.hosts, nodes.length)) : names.size };
}
