// The plan as a person reads it (tables) and as CI reads it (one JSON document).
import type { Plan, PlannedNode } from "../plan/types.js";
import type { InstanceType } from "../catalog/types.js";
import { priceOf } from "../catalog/select.js";
import { table, usd, type Output } from "./output.js";

export interface PlanContext {
  dryrun: boolean;
  offline: boolean;
  /** Mutations the dry run skipped, in order. */
  skipped?: string[];
}

export function planJson(plan: Plan, ctx: PlanContext) {
  const role = (c: Plan["scheduler"]) => ({
    instance_type: c.chosen.type,
    vcpus: c.chosen.vcpus,
    memory_gib: c.chosen.memoryGib,
    spot: c.spot,
    price_hourly: priceOf(c.chosen, c.spot),
    explicit: c.explicit,
    fallback_order: c.placements,
    runner_up: c.runnerUp && {
      instance_type: c.runnerUp.type,
      vcpus: c.runnerUp.vcpus,
      memory_gib: c.runnerUp.memoryGib,
      price_hourly: priceOf(c.runnerUp, c.spot),
    },
  });
  return {
    cluster: plan.cluster,
    provider: plan.provider,
    region: plan.region,
    zone: plan.zone ?? null,
    dryrun: ctx.dryrun,
    offline: ctx.offline,
    roles: { scheduler: role(plan.scheduler), worker: role(plan.workers) },
    nodes: plan.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      instance_type: n.instanceType,
      vcpus: n.vcpus,
      memory_gib: n.memoryGib,
      spot: n.spot,
      public_ip: n.publicIp ?? null,
      price_hourly: n.priceHourly,
      action: n.action,
      id: n.existingId ?? null,
      ...(n.why ? { why: n.why } : {}),
    })),
    firewall: { tcp_ports: plan.firewall.tcpPorts, allowed_cidrs: plan.firewall.allowedCidrs },
    hourly_cost: {
      instances: plan.hourlyCost.instances,
      public_ips: plan.hourlyCost.publicIps,
      disks: plan.hourlyCost.disks,
      total: plan.hourlyCost.total,
    },
    budget_hourly_usd: plan.spec.budget?.max_hourly_usd ?? null,
    ...(plan.prices && {
      prices: { on_demand: plan.prices.onDemand, spot: plan.prices.spot, live_spot: plan.prices.live },
    }),
    warnings: plan.warnings,
    ...(ctx.skipped ? { skipped_mutations: ctx.skipped } : {}),
  };
}

const describeType = (t: InstanceType, spot: boolean) =>
  `${t.type} (${t.vcpus} vCPU, ${t.memoryGib} GiB, ${usd(priceOf(t, spot)!)}/h)`;

export function planText(plan: Plan, out: Output): string {
  const roles = table(
    ["role", "type", "vCPUs", "memory", "spot", "$/hour", "runner-up"],
    [plan.scheduler, plan.workers].map((c) => [
      c.role,
      c.chosen.type,
      c.chosen.vcpus,
      `${c.chosen.memoryGib} GiB`,
      c.spot ? "yes" : "no",
      usd(priceOf(c.chosen, c.spot)!),
      c.explicit ? "(explicit type)" : c.runnerUp ? describeType(c.runnerUp, c.spot) : "(none)",
    ]),
    out.color,
  );
  const nodes = table(["nodes", "count", "action", "type", "$/hour each"], groupNodes(plan.nodes), out.color);
  const c = plan.hourlyCost;
  const lines = [
    `Plan for ${plan.cluster} on ${plan.provider} ${plan.region}${plan.zone ? ` (${plan.zone})` : ""}`,
    roles,
    nodes,
    `Firewall: tcp ${plan.firewall.tcpPorts.join(", ")} from ${plan.firewall.allowedCidrs.join(", ")}; all traffic between the cluster's nodes`,
    `Cost: ${usd(c.total)}/hour (~${usd(c.total * 730)}/month) = instances ${usd(c.instances)} + public IPv4 ${usd(c.publicIps)} + disks ${usd(c.disks)}`,
  ];
  if (plan.prices) lines.push(`Prices: on-demand from the ${plan.prices.onDemand}; spot ${plan.prices.spot}`);
  const budget = plan.spec.budget?.max_hourly_usd;
  if (budget !== undefined) lines.push(`Budget: ${usd(budget)}/hour (budget.max_hourly_usd); the plan is within it`);
  return lines.join("\n");
}

/** Consecutive nodes with the same role, action and type collapse into one row: 1000 workers are one line. */
function groupNodes(nodes: PlannedNode[]): (string | number)[][] {
  const rows: { first: string; last: string; count: number; node: PlannedNode }[] = [];
  for (const n of nodes) {
    const prev = rows.at(-1);
    if (
      prev &&
      prev.node.role === n.role &&
      prev.node.action === n.action &&
      prev.node.instanceType === n.instanceType
    ) {
      prev.last = n.name;
      prev.count++;
    } else rows.push({ first: n.name, last: n.name, count: 1, node: n });
  }
  return rows.map((r) => [
    r.count === 1 ? r.first : `${r.first} … ${r.last}`,
    r.count,
    r.node.action,
    r.node.instanceType,
    usd(r.node.priceHourly),
  ]);
}
