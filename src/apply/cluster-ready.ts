// After a launch: is the cluster a working Dask cluster? Waits on the scheduler's dashboard (wait-dask.ts) and, for
// the nodes that did not join, or when this machine cannot reach the dashboard at all, reads what the cloud keeps of
// their consoles, where the bootstrap writes one "cloudlaunch: ..." line per step.
import { DASK_DASHBOARD_PORT } from "../bootstrap/dask-settings.js";
import type { NodeInfo, Provider } from "../providers/provider.js";
import { lastBootstrapStep, readLogs } from "./console-log.js";
import { waitForDask } from "./wait-dask.js";

export interface NodeReport {
  node: NodeInfo;
  /** Why it is not part of the cluster (or, unreachable, what its console says). */
  why: string;
  /** The last lines of its console log. */
  lines: string[];
  /** Its console says the bootstrap failed. */
  failed: boolean;
}

export interface ReadyReport {
  outcome: "ready" | "timeout" | "unreachable" | "no-scheduler";
  dashboardUrl?: string;
  schedulerUp: boolean;
  connected: number;
  expected: number;
  /** Nodes not in the cluster (timeout), or every node's console summary (unreachable). */
  nodes: NodeReport[];
  reason?: string;
}

export interface ReadyOptions {
  timeoutMs: number;
  pollMs?: number;
  unreachableAfterMs?: number;
  /** Console lines shown per node. */
  tail?: number;
  onProgress?(progress: { schedulerUp: boolean; connected: number; expected: number }): void;
}

export function dashboardUrlOf(nodes: NodeInfo[]): string | undefined {
  const s = nodes.find((n) => n.role === "scheduler" && n.state === "running" && n.publicIp);
  if (!s?.publicIp) return undefined;
  return `http://${s.publicIp.includes(":") ? `[${s.publicIp}]` : s.publicIp}:${DASK_DASHBOARD_PORT}`;
}

export async function awaitCluster(provider: Provider, nodes: NodeInfo[], o: ReadyOptions): Promise<ReadyReport> {
  // A stopped node is not expected in Dask; up has started every node the plan wants running.
  const workers = nodes.filter((n) => n.role === "worker" && (n.state === "running" || n.state === "pending"));
  const dashboardUrl = dashboardUrlOf(nodes);
  const tail = o.tail ?? 15;
  if (!dashboardUrl) {
    const scheduler = nodes.filter((n) => n.role === "scheduler");
    if (scheduler.some((n) => n.state === "running")) {
      // Running without a public IP: nothing to reach from here; the consoles are what there is.
      const reason = "the scheduler has no public IP";
      const all = await explain(provider, nodes, tail, (n) => n.state);
      return { outcome: "unreachable", schedulerUp: false, connected: 0, expected: workers.length, reason, nodes: all };
    }
    return {
      outcome: "no-scheduler",
      schedulerUp: false,
      connected: 0,
      expected: workers.length,
      nodes: await explain(provider, scheduler, tail, () => "the scheduler is not running"),
    };
  }
  const r = await waitForDask({
    dashboardUrl,
    workers,
    timeoutMs: o.timeoutMs,
    pollMs: o.pollMs,
    unreachableAfterMs: o.unreachableAfterMs,
    onProgress: o.onProgress,
  });
  const base = {
    dashboardUrl,
    schedulerUp: r.schedulerUp,
    connected: r.joined,
    expected: workers.length,
    reason: r.reason,
  };
  if (r.outcome === "ready") return { ...base, outcome: "ready", nodes: [] };
  if (r.outcome === "unreachable") {
    // What the clouds report instead: every node's state and the last step its bootstrap wrote to the console.
    return { ...base, outcome: "unreachable", nodes: await explain(provider, nodes, tail, (n) => `${n.state}`) };
  }
  const scheduler = nodes.filter((n) => n.role === "scheduler" && !r.schedulerUp);
  const why = (n: NodeInfo) =>
    n.role === "scheduler"
      ? `scheduler not answering at ${dashboardUrl} (${r.reason ?? "no answer"})`
      : `${n.state}, no Dask worker registered`;
  return { ...base, outcome: "timeout", nodes: await explain(provider, [...scheduler, ...r.missing], tail, why) };
}

async function explain(
  provider: Provider,
  nodes: NodeInfo[],
  tail: number,
  why: (n: NodeInfo) => string,
): Promise<NodeReport[]> {
  // The full log for the step lines, which can be far above the last few lines of kernel and service noise.
  const logs = await readLogs(provider, nodes, 0);
  return logs.map((l) => {
    const text = l.lines.join("\n");
    const step = lastBootstrapStep(text);
    const failed = !!step && /bootstrap failed at/.test(step);
    const detail = l.error
      ? `console log unavailable: ${l.error}`
      : step
        ? `console: ${step.replace(/^.*?cloudlaunch: /, "")}`
        : "";
    return { node: l.node, why: [why(l.node), detail].filter(Boolean).join("; "), lines: l.lines.slice(-tail), failed };
  });
}
