// How the Dask side of a cluster is reported: the wait's outcome, the nodes that did not join with their console
// lines, and the one-line health `status` shows.
import type { ReadyReport } from "../apply/cluster-ready.js";
import type { DaskHealth } from "../apply/dask-health.js";

export function progressText(p: { schedulerUp: boolean; connected: number; expected: number }): string {
  if (!p.schedulerUp) return "waiting for the Dask scheduler";
  return `scheduler up, ${p.connected}/${p.expected} workers connected`;
}

export function readyText(r: ReadyReport, waitLabel: string): string {
  const lines: string[] = [];
  if (r.outcome === "ready") return `Dask: ${progressText(r)}`;
  if (r.outcome === "no-scheduler")
    lines.push("Dask: the scheduler is not running, so there is no Dask cluster to wait for.");
  if (r.outcome === "failed") {
    lines.push(`Dask: ${progressText(r)}; the nodes still missing failed their bootstrap. Not in the cluster:`);
  }
  if (r.outcome === "timeout") {
    lines.push(`Dask: not ready after ${waitLabel}: ${progressText(r)}. Not in the cluster:`);
  }
  if (r.outcome === "unreachable") {
    lines.push(
      r.dashboardUrl
        ? `Dask: cannot reach the dashboard ${r.dashboardUrl} from this machine (${r.reason}).`
        : `Dask: cannot reach the dashboard: ${r.reason}.`,
      "  Is this machine's address in network.allowed_cidrs? Not waiting for Dask; what the cloud reports instead:",
    );
  }
  for (const n of r.nodes) {
    lines.push(`  ${n.node.name} (${n.node.role}): ${n.why}`);
    for (const line of n.lines) lines.push(`      | ${line}`);
  }
  if (r.nodes.length && r.outcome !== "unreachable") {
    lines.push(
      `  (whole logs: cloudlaunch logs ${r.nodes[0].node.cluster} <node>; a shell: cloudlaunch ssh ${r.nodes[0].node.cluster} <node>)`,
    );
  }
  return lines.join("\n");
}

export function readyJson(r: ReadyReport) {
  return {
    outcome: r.outcome,
    dashboard: r.dashboardUrl ?? null,
    scheduler_up: r.schedulerUp,
    workers_connected: r.connected,
    workers_expected: r.expected,
    ...(r.reason && { reason: r.reason }),
    nodes: r.nodes.map((n) => ({
      name: n.node.name,
      role: n.node.role,
      state: n.node.state,
      why: n.why,
      bootstrap_failed: n.failed,
      console: n.lines,
    })),
  };
}

export function healthText(h: DaskHealth): string {
  if (!h.schedulerUp) return `Dask:           scheduler not answering at ${h.dashboardUrl} (${h.reason})`;
  return `Dask:           scheduler up, ${h.connected}/${h.expected} workers connected`;
}

export function healthJson(h: DaskHealth) {
  return {
    scheduler_up: h.schedulerUp,
    workers_connected: h.connected ?? null,
    workers_expected: h.expected,
    ...(h.reason && { reason: h.reason }),
  };
}
