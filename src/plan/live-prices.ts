// Live spot prices as an input to the pure planner: the driver fetches them (EC2 DescribeSpotPriceHistory per zone,
// Azure's Retail Prices API), this overlays them on the catalog rows and picks the spot role's cheapest zone.
import type { InstanceType } from "../catalog/types.js";
import { SNAPSHOT_DATES } from "../catalog/snapshot.js";
import { rankCandidates } from "../catalog/select.js";
import type { ResolvedSpec, ProviderName } from "../spec/schema.js";
import type { Plan, PriceSource } from "./types.js";

export interface LiveSpotPrices {
  /** e.g. "EC2 DescribeSpotPriceHistory" — said in the plan. */
  source: string;
  /** ISO 8601, when they were fetched. */
  fetchedAt: string;
  /** Instance type → zone ("" when the cloud prices the region as a whole) → $/hour. */
  prices: Map<string, Map<string, number>>;
}

/** A type's live spot price: in `zone` when the spec fixes one, else the cheapest zone; undefined when not listed. */
function liveSpot(live: LiveSpotPrices, type: string, zone?: string): { price: number; zone?: string } | undefined {
  const byZone = live.prices.get(type);
  if (!byZone?.size) return undefined;
  if (zone && byZone.has(zone)) return { price: byZone.get(zone)!, zone };
  if (zone && !byZone.has("")) return undefined;
  let best: { price: number; zone?: string } | undefined;
  for (const [z, price] of byZone)
    if (!best || price < best.price || (price === best.price && (z || "") < (best.zone ?? "")))
      best = { price, zone: z || undefined };
  return best;
}

/** The catalog rows with the live spot price where there is one (the snapshot's otherwise). */
export function withLiveSpot(types: InstanceType[], live: LiveSpotPrices | undefined, zone?: string): InstanceType[] {
  if (!live) return types;
  return types.map((t) => {
    const l = liveSpot(live, t.type, zone);
    return l ? { ...t, spotPriceHourly: l.price } : t;
  });
}

/**
 * Where the prices came from, and — for a plan with spot capacity and no zone in the spec — the zone where the spot
 * workers (or the spot scheduler) are cheapest, which the driver then launches in.
 */
export function applyPriceSource(plan: Plan, provider: ProviderName, live: LiveSpotPrices | undefined): Plan {
  const snapshot = SNAPSHOT_DATES[provider];
  const spotRole = [plan.workers, plan.scheduler].find((r) => r.spot);
  const prices: PriceSource = live
    ? {
        spot: `live from ${live.source} at ${live.fetchedAt}`,
        onDemand: `bundled snapshot of ${snapshot.onDemand}`,
        live: true,
      }
    : {
        spot: `bundled snapshot of ${snapshot.spot}`,
        onDemand: `bundled snapshot of ${snapshot.onDemand}`,
        live: false,
      };
  // An EC2 subnet lives in one zone: an explicit subnet fixes the zone.
  const fixed = plan.zone || plan.spec.zone || (provider === "aws" && plan.spec.network.subnet);
  if (!live || !spotRole || fixed) return { ...plan, prices };
  const zone = liveSpot(live, spotRole.chosen.type)?.zone;
  return { ...plan, prices, zone: zone ?? plan.zone };
}

/** The types a spot role could choose (every type of the right kind meeting its floors): the prices worth fetching. */
export function spotCandidates(spec: ResolvedSpec, types: InstanceType[]): string[] {
  const out = new Set<string>();
  for (const role of [spec.scheduler, spec.workers]) {
    if (!role.spot) continue;
    if (role.instance_type) out.add(role.instance_type);
    else {
      const floors = {
        minVcpus: role.min_vcpus,
        minMemoryGib: role.min_memory_gib,
        arch: spec.arch,
        spot: true,
        allowBurstable: role.allow_burstable,
      };
      for (const t of rankCandidates(types, floors)) out.add(t.type);
    }
  }
  return [...out];
}
