// The cheapest-type rule. Pure: the catalog rows come in, the ordered candidates go out.
import type { InstanceType } from "./types.js";

export interface Floors {
  minVcpus?: number;
  minMemoryGib?: number;
  arch: "x86_64" | "arm64";
  spot: boolean;
  allowBurstable: boolean;
}

export function priceOf(t: InstanceType, spot: boolean): number | null {
  return spot ? t.spotPriceHourly : t.priceHourly;
}

/** Types of the right kind (arch, no accelerator, burstable only if allowed, priced), before the floors apply. */
export function ofKind(types: InstanceType[], f: Floors): InstanceType[] {
  return types.filter((t) => t.arch === f.arch && !t.accelerator && (f.allowBurstable || !t.burstable) && priceOf(t, f.spot) !== null);
}

export function meetsFloors(t: InstanceType, f: Floors): boolean {
  return t.vcpus >= (f.minVcpus ?? 0) && t.memoryGib >= (f.minMemoryGib ?? 0);
}

/** Cheapest first; ties go to fewer vCPUs, then less memory, then the type name. */
export function byPrice(spot: boolean) {
  return (a: InstanceType, b: InstanceType) =>
    priceOf(a, spot)! - priceOf(b, spot)! || a.vcpus - b.vcpus || a.memoryGib - b.memoryGib || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0);
}

/** Every type meeting the floors, in the order the rule prefers them: [0] is the choice. */
export function rankCandidates(types: InstanceType[], f: Floors): InstanceType[] {
  return ofKind(types, f).filter((t) => meetsFloors(t, f)).sort(byPrice(f.spot));
}

/** The types that come closest to the floors without meeting them, for the "no candidate" message. */
export function closestShortOf(types: InstanceType[], f: Floors, limit = 3): InstanceType[] {
  const shortfall = (t: InstanceType) =>
    Math.max(0, (f.minVcpus ?? 0) - t.vcpus) / (f.minVcpus || 1) + Math.max(0, (f.minMemoryGib ?? 0) - t.memoryGib) / (f.minMemoryGib || 1);
  return ofKind(types, f)
    .filter((t) => !meetsFloors(t, f))
    .sort((a, b) => shortfall(a) - shortfall(b) || byPrice(f.spot)(a, b))
    .slice(0, limit);
}
