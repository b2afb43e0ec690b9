// Before planning, nodes caught half-way (an interrupted up, a VM slow to boot) are given a bounded time to get
// somewhere: a node still pending at the end is named and treated as failed, so the plan replaces it instead of
// keeping it forever. After applying, the cluster is checked against the spec: `up` succeeds only when it matches.
import { CloudError } from "../errors.js";
import type { Plan } from "../plan/types.js";
import type { NodeInfo, Progress, Provider } from "../providers/provider.js";
import { pollUntil } from "../wait.js";

export interface SettleOptions {
  /** How long pending nodes may take to run (CLOUDLAUNCH_PENDING_WAIT_S, default 600 s). */
  waitMs: number;
  /** How often the cluster is listed meanwhile (CLOUDLAUNCH_PENDING_POLL_MS, default 3000 ms). */
  pollMs: number;
}

const isPending = (n: NodeInfo) => (n.state === "pending" || n.state === "stopping") && !n.failed;

/** The cluster's nodes once none is pending any more, or the bound passed: those left are marked failed. */
export async function settlePending(
  provider: Provider,
  cluster: string,
  nodes: NodeInfo[],
  progress: Progress,
  opts: SettleOptions,
): Promise<NodeInfo[]> {
  let current = nodes;
  let pending: NodeInfo[] = [];
  const seconds = Math.round(opts.waitMs / 1000);
  return pollUntil(
    async (round) => {
      if (round > 0) current = await provider.listNodes(cluster);
      pending = current.filter(isPending);
      if (pending.length === 0) return current;
      progress.update(
        current.length - pending.length,
        current.length,
        `settled (waiting for ${pending.map((n) => n.name).join(", ")})`,
      );
      return undefined;
    },
    {
      // Most transitions end within seconds: listed again soon, then less often, up to the configured interval.
      intervalMs: { initialMs: Math.min(250, opts.pollMs), factor: 2, maxMs: opts.pollMs },
      timeoutMs: opts.waitMs,
      onTimeout: () => {
        progress.note(
          `${pending.map((n) => `${n.name} (${n.state})`).join(", ")} did not settle within ${seconds} s (CLOUDLAUNCH_PENDING_WAIT_S): replacing`,
        );
        return current.map((n) =>
          isPending(n) ? { ...n, failed: true, reason: n.reason ?? `still ${n.state} after ${seconds} s` } : n,
        );
      },
    },
  );
}

/** What keeps the cluster from matching the plan: a missing scheduler, too few running workers, failed nodes. */
export function divergence(plan: Plan, nodes: NodeInfo[]): string[] {
  const byName = new Map<string, NodeInfo>();
  for (const n of nodes) if (!byName.has(n.name) || n.state !== "terminated") byName.set(n.name, n);
  const problems: string[] = [];
  for (const p of plan.nodes) {
    if (p.action === "surplus" || p.action === "terminate" || p.action === "remove") continue;
    const n = byName.get(p.name);
    if (!n) problems.push(`${p.name} is missing`);
    else if (n.failed || n.state !== "running")
      problems.push(`${p.name} is ${n.state}${n.failed ? ", failed" : ""}${n.reason ? ` (${n.reason})` : ""}`);
  }
  return problems;
}

export function assertConverged(plan: Plan, nodes: NodeInfo[]): void {
  const problems = divergence(plan, nodes);
  if (problems.length) {
    throw new CloudError(
      `${plan.cluster} does not match the spec yet: ${problems.join("; ")}. Run up again to repair it.`,
      "other",
    );
  }
}
