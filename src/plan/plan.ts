// The planner: (spec, catalog, what exists) → Plan. Pure — no I/O, no SDK — which is what makes --dryrun honest.
import type { InstanceType } from "../catalog/types.js";
import { priceOf } from "../catalog/select.js";
import type { NodeInfo } from "../providers/provider.js";
import type { ResolvedSpec } from "../spec/schema.js";
import { nextWorkerNames, schedulerName, workerNumber } from "../naming.js";
import { chooseRole } from "./choose.js";
import { DASK_DASHBOARD_PORT, DASK_SCHEDULER_PORT } from "../bootstrap/dask-settings.js";
import { bootDiskHourly, publicIpHourly } from "./pricing.js";
import type { HourlyCost, NodeAction, Plan, PlannedNode, RoleChoice } from "./types.js";

/** What the firewall opens to the allowed CIDRs: SSH and the ports the nodes' Dask listens on (src/bootstrap). */
export const DASK_PORTS = [22, DASK_SCHEDULER_PORT, DASK_DASHBOARD_PORT];

export interface PlanOptions {
  /** Terminate workers beyond workers.count instead of only listing them. */
  terminateSurplus?: boolean;
  /** Names used before that the cloud may no longer list (GCP and Azure forget deleted VMs at once). */
  takenNames?: string[];
}

const GONE = new Set(["terminated", "terminating"]);

/** `existing` are the cluster's nodes as the cloud lists them, terminated ones included (their names stay taken). */
export function planCluster(
  spec: ResolvedSpec,
  types: InstanceType[],
  existing: NodeInfo[],
  options: PlanOptions = {},
): Plan {
  const cluster = spec.name;
  const scheduler = chooseRole(spec, "scheduler", spec.scheduler, types);
  const workers = chooseRole(spec, "worker", spec.workers, types);
  const warnings: string[] = [];
  // A failed node is listed but will never serve: it counts as missing and what is left of it is removed.
  const alive = existing.filter((n) => !GONE.has(n.state) && !n.failed);
  const failed = existing.filter((n) => !GONE.has(n.state) && n.failed);
  const byType = new Map(types.map((t) => [t.type, t]));

  const existingNode = (n: NodeInfo, action: NodeAction, choice: RoleChoice): PlannedNode => {
    const type = byType.get(n.instanceType);
    if (!type) warnings.push(`${n.name} is ${n.instanceType}, which the catalog does not price; counted as $0/hour`);
    else if (type.type !== choice.chosen.type && action !== "terminate" && action !== "remove") {
      warnings.push(
        `${n.name} is ${n.instanceType}; the spec now plans ${choice.chosen.type} (terminate it and run up again to replace it)`,
      );
    }
    return {
      name: n.name,
      role: n.role,
      action,
      instanceType: n.instanceType,
      vcpus: type?.vcpus ?? 0,
      memoryGib: type?.memoryGib ?? 0,
      spot: n.spot,
      priceHourly: (type && priceOf(type, n.spot)) ?? 0,
      existingId: n.id,
      publicIp: n.publicIp,
    };
  };
  const newNode = (name: string, choice: RoleChoice): PlannedNode => ({
    name,
    role: choice.role,
    action: "create",
    instanceType: choice.chosen.type,
    vcpus: choice.chosen.vcpus,
    memoryGib: choice.chosen.memoryGib,
    spot: choice.spot,
    priceHourly: priceOf(choice.chosen, choice.spot)!,
  });
  const keepOrStart = (n: NodeInfo): NodeAction => (n.state === "stopped" || n.state === "stopping" ? "start" : "keep");

  const nodes: PlannedNode[] = [];
  for (const n of failed) {
    const why = `${n.state}, failed${n.reason ? `: ${n.reason}` : ""}`;
    warnings.push(`${n.name} is ${why}; up removes it and launches a replacement`);
    nodes.push({ ...existingNode(n, "remove", n.role === "scheduler" ? scheduler : workers), why });
  }
  const liveScheduler = alive.find((n) => n.role === "scheduler");
  const goneScheduler = existing.find((n) => n.role === "scheduler" && GONE.has(n.state) && n.reason);
  if (!liveScheduler && goneScheduler)
    warnings.push(`${goneScheduler.name} is ${goneScheduler.state} (${goneScheduler.reason}); up launches it again`);
  nodes.push(
    liveScheduler
      ? existingNode(liveScheduler, keepOrStart(liveScheduler), scheduler)
      : newNode(schedulerName(cluster), scheduler),
  );

  const liveWorkers = alive
    .filter((n) => n.role === "worker")
    .sort((a, b) => (workerNumber(cluster, a.name) ?? 0) - (workerNumber(cluster, b.name) ?? 0));
  const wanted = spec.workers.count;
  liveWorkers.forEach((n, i) => {
    const surplus = options.terminateSurplus ? "terminate" : "surplus";
    nodes.push(existingNode(n, i < wanted ? keepOrStart(n) : surplus, workers));
  });
  if (liveWorkers.length > wanted && !options.terminateSurplus) {
    const surplus = liveWorkers.slice(wanted).map((n) => n.name);
    const listed =
      surplus.length > 10 ? `${surplus.slice(0, 10).join(", ")} and ${surplus.length - 10} more` : surplus.join(", ");
    warnings.push(
      `${surplus.length} worker(s) beyond workers.count are kept (${listed}); up --terminate-surplus terminates them`,
    );
  }
  const missing = Math.max(0, wanted - liveWorkers.length);
  const taken = [...existing.map((n) => n.name), ...(options.takenNames ?? [])];
  for (const name of nextWorkerNames(cluster, taken, missing)) nodes.push(newNode(name, workers));

  return {
    cluster,
    provider: spec.provider,
    region: spec.region,
    zone: spec.zone,
    spec,
    scheduler,
    workers,
    nodes,
    firewall: { tcpPorts: DASK_PORTS, allowedCidrs: spec.network.allowed_cidrs },
    hourlyCost: hourlyCost(spec, nodes),
    warnings,
  };
}

/** What the cluster costs per hour once the plan is applied: every node that will exist, surplus included. */
export function hourlyCost(spec: ResolvedSpec, nodes: PlannedNode[]): HourlyCost {
  const billed = nodes.filter((n) => n.action !== "terminate" && n.action !== "remove");
  const sum = (f: (n: PlannedNode) => number) => round(billed.reduce((s, n) => s + f(n), 0));
  const instances = sum((n) => n.priceHourly);
  const publicIps = sum((n) => publicIpHourly(spec.provider, n.spot));
  const disks = sum(() => bootDiskHourly(spec.provider, spec.disk_gib));
  return { instances, publicIps, disks, total: round(instances + publicIps + disks) };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
