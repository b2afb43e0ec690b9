// After a launch: is the cluster a working Dask cluster? Waits on the scheduler's dashboard (wait-dask.ts) and, for
// the nodes that did not join, or when this machine cannot reach the dashboard at all, reads what the cloud keeps of
// their consoles, where the bootstrap writes one "cloudlaunch: ..." line per step.
import { DASK_DASHBOARD_PORT } from "../bootstrap/dask-settings.js";
import type { NodeInfo, Provider } from "../providers/provider.js";
import { lastBootstrapStep, readLogs } from "./console-log.js";
import { waitForDask } from "./wait-dask.js";

interface NodeReport {
  node: NodeInfo;
  /** Why it is not part of the cluster (or, unreachable, what its console says). */
  why: string;
  /** The last lines of its console log. */
  lines: string[];
  /** Its console says the bootstrap failed. */
  failed: boolean;
}

export interface ReadyReport {
  /** failed: every node still missing said on its console that its bootstrap failed; up stopped waiting early. */
  outcome: "ready" | "timeout" | "failed" | "unreachable" | "no-scheduler";
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
  /** How often the consoles of the nodes still missing are read for a failed bootstrap (default 30 s). */
  checkConsolesEveryMs?: number;
}

/** Consoles read per check: each is one API call, and thousands of nodes may be booting at once. */
const CONSOLES_PER_CHECK = 20;

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
    scheduler: nodes.find((n) => n.role === "scheduler"),
    failedNodes: failedBootstraps(provider),
    checkEveryMs: o.checkConsolesEveryMs,
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
  const outcome = r.outcome === "failed" ? "failed" : "timeout";
  return { ...base, outcome, nodes: await explain(provider, [...scheduler, ...r.missing], tail, why) };
}

/** Reads a few consoles per call, going round the nodes, and names those whose bootstrap failed. */
function failedBootstraps(provider: Provider): (waitingFor: NodeInfo[]) => Promise<string[]> {
  let turn = 0;
  return async (waitingFor) => {
    const start = turn % waitingFor.length;
    const sample = [...waitingFor.slice(start), ...waitingFor.slice(0, start)].slice(0, CONSOLES_PER_CHECK);
    turn += sample.length;
    const logs = await readLogs(provider, sample, 0);
    return logs
      .filter((l) => /bootstrap failed at/.test(lastBootstrapStep(l.lines.join("\n")) ?? ""))
      .map((l) => l.node.name);
  };
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
