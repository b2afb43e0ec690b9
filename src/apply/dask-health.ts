// One look at a cluster's Dask for `status`: bounded by a short timeout, so an unreachable dashboard costs seconds.
import type { NodeInfo } from "../providers/provider.js";
import { dashboardUrlOf } from "./cluster-ready.js";
import { ProbeError, schedulerHealthy } from "./dask-http.js";
import { joinedNodes } from "./joined-nodes.js";

export interface DaskHealth {
  dashboardUrl: string;
  schedulerUp: boolean;
  connected?: number;
  expected: number;
  reason?: string;
}

/** One look, for `status`: bounded by a short timeout so an unreachable dashboard costs seconds, not minutes. */
export async function daskHealth(nodes: NodeInfo[], timeoutMs = 3000): Promise<DaskHealth | undefined> {
  const dashboardUrl = dashboardUrlOf(nodes);
  if (!dashboardUrl) return undefined;
  const workers = nodes.filter((n) => n.role === "worker" && (n.state === "running" || n.state === "pending"));
  try {
    await schedulerHealthy(dashboardUrl, timeoutMs);
    const connected = (await joinedNodes(dashboardUrl, workers, timeoutMs)).count;
    return { dashboardUrl, schedulerUp: true, connected, expected: workers.length };
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    return { dashboardUrl, schedulerUp: false, expected: workers.length, reason: err.message };
  }
}
