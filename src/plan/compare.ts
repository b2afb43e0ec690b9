// compare: the same cluster planned in every (cloud, region) given, ranked by $/hour — SkyPilot's optimizer in one
// pure function. The catalog rows come in; nothing here reads a file or calls a cloud.
import { PlanError } from "../errors.js";
import type { InstanceType } from "../catalog/types.js";
import type { ProviderName, ResolvedRole, ResolvedSpec } from "../spec/schema.js";
import { planCluster } from "./plan.js";
import type { HourlyCost } from "./types.js";

export interface CompareTarget {
  provider: ProviderName;
  region: string;
  types: InstanceType[];
}

interface CompareRow {
  provider: ProviderName;
  region: string;
  scheduler: { type: string; vcpus: number; memoryGib: number; priceHourly: number };
  workers: { type: string; vcpus: number; memoryGib: number; priceHourly: number; count: number };
  hourlyCost: HourlyCost;
  withinBudget: boolean;
}

export interface Comparison {
  /** Cheapest first; ties by provider, then region. */
  ranked: CompareRow[];
  /** Targets where a role has no type meeting its floors, with the planner's reason. */
  unavailable: { provider: ProviderName; region: string; reason: string }[];
  /** The floors each role was compared by elsewhere (an explicit type becomes its own size). */
  floors: { scheduler: ResolvedRole; workers: ResolvedRole };
}

/**
 * An explicit instance type names one cloud's type; elsewhere the same machine means the same size, so a role given
 * by type is compared by that type's vCPUs and memory (looked up in the spec's own region).
 */
function comparableRole(role: ResolvedRole, own: InstanceType[]): ResolvedRole {
  if (!role.instance_type) return role;
  const t = own.find((x) => x.type === role.instance_type);
  if (!t) throw new PlanError(`instance type ${role.instance_type} is not in the catalog of the spec's region`);
  const { instance_type: _type, ...rest } = role;
  return {
    ...rest,
    min_vcpus: t.vcpus,
    min_memory_gib: t.memoryGib,
    allow_burstable: role.allow_burstable || t.burstable,
  };
}

export function compareClusters(spec: ResolvedSpec, ownTypes: InstanceType[], targets: CompareTarget[]): Comparison {
  const scheduler = comparableRole(spec.scheduler, ownTypes);
  const workers = { ...comparableRole(spec.workers, ownTypes), count: spec.workers.count };
  // Where the cloud offers the spec's explicit type, that type is what `up` would launch there.
  const as = (role: ResolvedRole, bySize: ResolvedRole, provider: ProviderName, types: InstanceType[]) =>
    provider === spec.provider && types.some((t) => t.type === role.instance_type) ? role : bySize;
  const ranked: CompareRow[] = [];
  const unavailable: Comparison["unavailable"] = [];
  for (const { provider, region, types } of targets) {
    const variant: ResolvedSpec = {
      ...spec,
      provider,
      region,
      zone: undefined,
      scheduler: as(spec.scheduler, scheduler, provider, types),
      workers: { ...as(spec.workers, workers, provider, types), count: spec.workers.count },
    };
    try {
      const plan = planCluster(variant, types, []);
      const role = (c: typeof plan.scheduler) => ({
        type: c.chosen.type,
        vcpus: c.chosen.vcpus,
        memoryGib: c.chosen.memoryGib,
        priceHourly: (c.spot ? c.chosen.spotPriceHourly : c.chosen.priceHourly)!,
      });
      const max = spec.budget?.max_hourly_usd;
      ranked.push({
        provider,
        region,
        scheduler: role(plan.scheduler),
        workers: { ...role(plan.workers), count: workers.count },
        hourlyCost: plan.hourlyCost,
        withinBudget: max === undefined || plan.hourlyCost.total <= max,
      });
    } catch (err) {
      if ((err as Error).name !== "PlanError") throw err;
      unavailable.push({ provider, region, reason: (err as Error).message });
    }
  }
  ranked.sort(
    (a, b) => a.hourlyCost.total - b.hourlyCost.total || cmp(a.provider, b.provider) || cmp(a.region, b.region),
  );
  return { ranked, unavailable, floors: { scheduler, workers } };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
