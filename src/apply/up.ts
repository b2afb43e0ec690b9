// Applies a plan: network, surplus, restarts, the scheduler first, then the workers with its private address.
// Every mutation goes through the provider it is given, which the command has wrapped in the dry-run guard.
import { CloudError } from "../errors.js";
import type { Plan, PlannedNode } from "../plan/types.js";
import type { InstanceType } from "../catalog/types.js";
import { generationOf } from "./attempt.js";
import type { LaunchedNode, LaunchRequest, NodeInfo, NodeResult, Progress, Provider } from "../providers/provider.js";

/** Renders one node's cloud-init user data for an instance type; workers get the scheduler's private address. */
export type UserDataFor = (node: PlannedNode, type: InstanceType, schedulerPrivateIp: string | undefined) => string;

const DRY_RUN_SCHEDULER_IP = "10.255.255.254";

export interface UpResult {
  scheduler?: NodeInfo;
  launched: LaunchedNode[];
  /** What converging the firewall / security group / NSG changed; empty when it already matched the spec. */
  networkChanges: string[];
  started: NodeResult[];
  terminated: NodeResult[];
}

export async function applyPlan(
  plan: Plan,
  provider: Provider,
  existing: NodeInfo[],
  userDataFor: UserDataFor,
  progress: Progress,
): Promise<UpResult> {
  // By id, not name: a name can belong to a terminated VM and to its live (or failed) successor at once.
  const byId = new Map(existing.map((n) => [n.id, n]));
  const existingOf = (n: PlannedNode) => (n.existingId === undefined ? undefined : byId.get(n.existingId));
  const nodesWith = (action: PlannedNode["action"]) =>
    plan.nodes
      .filter((n) => n.action === action)
      .map(existingOf)
      .filter((n): n is NodeInfo => !!n);

  const networkChanges = await provider.ensureNetwork(plan);
  // Failed nodes go first and completely: a replacement may take the same name (the scheduler's), which GCP and
  // Azure refuse while the old VM exists.
  const removed = await each(nodesWith("remove"), "remove the failed node(s)", (nodes) =>
    provider.terminate(nodes, progress),
  );
  const terminated = [
    ...removed,
    ...(await each(nodesWith("terminate"), "terminate", (nodes) => provider.terminate(nodes, progress))),
  ];
  const started = await each(nodesWith("start"), "start", (nodes) => provider.start(nodes, progress));

  const schedulerPlan = plan.nodes.find((n) => n.role === "scheduler" && n.action !== "remove")!;
  let scheduler: NodeInfo | undefined =
    started.find((r) => r.name === schedulerPlan.name)?.node ?? existingOf(schedulerPlan);
  const launched: LaunchedNode[] = [];
  if (schedulerPlan.action === "create") {
    const [node] = await provider.launch(
      plan,
      [request(plan, schedulerPlan, existing, (type) => userDataFor(schedulerPlan, type, undefined))],
      progress,
    );
    if (node) launched.push(node);
    scheduler = node;
    // Kept workers still dial the old scheduler: their metadata now names the new one, and they follow it at their
    // next service start (the Dask worker exits when its scheduler is gone and systemd restarts it).
    const kept = plan.nodes.filter(
      (n) => n.role === "worker" && (n.action === "keep" || n.action === "start" || n.action === "surplus"),
    );
    const workers = kept
      .map((n) => started.find((r) => r.name === n.name)?.node ?? existingOf(n))
      .filter((n): n is NodeInfo => !!n);
    if (workers.length) {
      await provider.setSchedulerAddress(workers, scheduler?.privateIp ?? DRY_RUN_SCHEDULER_IP);
      progress.note(
        `${workers.length} kept worker(s) now point at the new scheduler ${scheduler?.privateIp ?? "(dry run)"}`,
      );
    }
  }
  const newWorkers = plan.nodes.filter((n) => n.role === "worker" && n.action === "create");
  if (newWorkers.length) {
    // In a dry run nothing was launched, so there is no address yet; the preview renders with a stand-in.
    const address = scheduler?.privateIp ?? DRY_RUN_SCHEDULER_IP;
    const requests = newWorkers.map((n) => request(plan, n, existing, (type) => userDataFor(n, type, address)));
    launched.push(...(await provider.launch(plan, requests, progress)));
  }
  sayWhereLanded(launched, progress);
  return { scheduler, launched, networkChanges, started, terminated };
}

/** Nodes placed elsewhere than the plan's first choice, grouped by where and why: one line per distinct fallback. */
function sayWhereLanded(launched: LaunchedNode[], progress: Progress): void {
  const groups = new Map<string, string[]>();
  for (const n of launched) {
    if (!n.fallback) continue;
    const why = n.fallback.startsWith(`${n.name}: `) ? n.fallback.slice(n.name.length + 2) : n.fallback;
    groups.set(why, [...(groups.get(why) ?? []), n.name]);
  }
  for (const [why, names] of groups) {
    const who = names.length === 1 ? names[0] : `${names.length} nodes (${names[0]} … ${names.at(-1)})`;
    progress.note(`${who} landed elsewhere: ${why}`);
  }
}

function request(
  plan: Plan,
  node: PlannedNode,
  existing: NodeInfo[],
  userData: LaunchRequest["userData"],
): LaunchRequest {
  const choice = node.role === "scheduler" ? plan.scheduler : plan.workers;
  return {
    name: node.name,
    role: node.role,
    candidates: choice.candidates,
    spot: choice.spot,
    userData,
    generation: generationOf(node.name, existing),
  };
}

async function each(
  nodes: NodeInfo[],
  verb: string,
  act: (nodes: NodeInfo[]) => Promise<NodeResult[]>,
): Promise<NodeResult[]> {
  if (!nodes.length) return [];
  const results = await act(nodes);
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    throw new CloudError(
      `could not ${verb} ${failed.map((r) => `${r.name} (${r.message})`).join(", ")}; run up again to retry`,
    );
  }
  return results;
}
