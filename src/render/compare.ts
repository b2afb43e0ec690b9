// The comparison as a person reads it (one ranked table) and as a script reads it (one JSON document).
import type { Comparison } from "../plan/compare.js";
import type { ResolvedSpec } from "../spec/schema.js";
import { table, usd, type Output } from "./output.js";

export function compareJson(spec: ResolvedSpec, c: Comparison) {
  return {
    cluster: spec.name,
    workers: spec.workers.count,
    budget_hourly_usd: spec.budget?.max_hourly_usd ?? null,
    ranked: c.ranked.map((r, i) => ({
      rank: i + 1,
      provider: r.provider,
      region: r.region,
      scheduler: {
        instance_type: r.scheduler.type,
        vcpus: r.scheduler.vcpus,
        memory_gib: r.scheduler.memoryGib,
        price_hourly: r.scheduler.priceHourly,
      },
      worker: {
        instance_type: r.workers.type,
        vcpus: r.workers.vcpus,
        memory_gib: r.workers.memoryGib,
        price_hourly: r.workers.priceHourly,
        count: r.workers.count,
      },
      hourly_cost: {
        instances: r.hourlyCost.instances,
        public_ips: r.hourlyCost.publicIps,
        disks: r.hourlyCost.disks,
        total: r.hourlyCost.total,
      },
      within_budget: r.withinBudget,
    })),
    unavailable: c.unavailable,
  };
}

export function compareText(spec: ResolvedSpec, c: Comparison, out: Output): string {
  const budget = spec.budget?.max_hourly_usd;
  const rows = c.ranked.map((r, i) => [
    i + 1,
    r.provider,
    r.region,
    `${r.scheduler.type} (${usd(r.scheduler.priceHourly)})`,
    `${r.workers.count} × ${r.workers.type} (${usd(r.workers.priceHourly)})`,
    usd(r.hourlyCost.total),
    usd(r.hourlyCost.total * 730),
    ...(budget === undefined ? [] : [r.withinBudget ? "yes" : "over"]),
  ]);
  const head = [
    "#",
    "cloud",
    "region",
    "scheduler",
    "workers",
    "$/hour",
    "~$/month",
    ...(budget === undefined ? [] : ["in budget"]),
  ];
  const lines = [
    `${spec.name}: 1 scheduler + ${spec.workers.count} workers in ${c.ranked.length} cloud regions, cheapest first ` +
      "(bundled list prices, instances + public IPv4 + disks)",
    table(head, rows, out.color),
  ];
  if (c.unavailable.length)
    lines.push(
      `Not possible in ${c.unavailable.length} region(s): ${c.unavailable.map((u) => `${u.provider} ${u.region}`).join(", ")}`,
    );
  return lines.join("\n");
}
