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

/**
 * Types the drivers cannot launch as they configure a VM, and what each would need. Azure:
 * - confidential sizes (DCas/DCads/ECas/ECads v5-v6 on AMD SEV-SNP, DCes/DCeds/ECes/ECeds on Intel TDX, their _cc
 *   and isolated "i" variants) boot only with securityProfile.securityType ConfidentialVM and a confidential image
 *   (https://learn.microsoft.com/azure/confidential-computing/confidential-vm-overview); the driver sends neither.
 * - Generation 1-only sizes (Av2, D/DS v1, Dv2, Dv3, Ev3, F/Fs v1, G v1): of the older families only the premium
 *   "s" sizes (DSv2, Dsv3, Esv3, GS) boot Generation 2
 *   (https://learn.microsoft.com/azure/virtual-machines/generation-2, and "VM Generation Support: Generation 1" on
 *   each size's page); the driver's Ubuntu images are Generation 2 and such a size fails with "cannot boot
 *   Hypervisor Generation '2'".
 * (SGX sizes DCsv2/DCsv3/DCdsv3 boot ordinary Generation 2 images and stay in.)
 */
const CONFIDENTIAL = /^Standard_(DC|EC)\d+(as|ads|es|eds|ias|iads)(_cc)?_v\d$/;
const GENERATION_1_ONLY = /^Standard_(A\d+m?_v2|D\d+|DS\d+|D\d+_v[23]|E\d+_v3|F\d+s?|G\d+)$/;
const NEEDS: [RegExp, string][] = [
  [CONFIDENTIAL, "a confidential VM security profile and a confidential (CVM) image"],
  [GENERATION_1_ONLY, "a Generation 1 image (cloudlaunch's Ubuntu images are Generation 2)"],
];

/** What a type needs that the driver does not send, or undefined when it launches as configured. */
export function launchNeeds(t: Pick<InstanceType, "type">): string | undefined {
  return NEEDS.find(([pattern]) => pattern.test(t.type))?.[1];
}

/** Types of the right kind (arch, no accelerator, burstable only if allowed, priced, launchable), before the floors. */
function ofKind(types: InstanceType[], f: Floors): InstanceType[] {
  return types.filter(
    (t) =>
      t.arch === f.arch &&
      !t.accelerator &&
      (f.allowBurstable || !t.burstable) &&
      priceOf(t, f.spot) !== null &&
      !launchNeeds(t),
  );
}

function meetsFloors(t: InstanceType, f: Floors): boolean {
  return t.vcpus >= (f.minVcpus ?? 0) && t.memoryGib >= (f.minMemoryGib ?? 0);
}

/** Cheapest first; ties go to fewer vCPUs, then less memory, then the type name. */
function byPrice(spot: boolean) {
  return (a: InstanceType, b: InstanceType) =>
    priceOf(a, spot)! - priceOf(b, spot)! ||
    a.vcpus - b.vcpus ||
    a.memoryGib - b.memoryGib ||
    (a.type < b.type ? -1 : a.type > b.type ? 1 : 0);
}

/** Every type meeting the floors, in the order the rule prefers them: [0] is the choice. */
export function rankCandidates(types: InstanceType[], f: Floors): InstanceType[] {
  return ofKind(types, f)
    .filter((t) => meetsFloors(t, f))
    .sort(byPrice(f.spot));
}

/** The types that come closest to the floors without meeting them, for the "no candidate" message. */
export function closestShortOf(types: InstanceType[], f: Floors, limit = 3): InstanceType[] {
  const shortfall = (t: InstanceType) =>
    Math.max(0, (f.minVcpus ?? 0) - t.vcpus) / (f.minVcpus || 1) +
    Math.max(0, (f.minMemoryGib ?? 0) - t.memoryGib) / (f.minMemoryGib || 1);
  return ofKind(types, f)
    .filter((t) => !meetsFloors(t, f))
    .sort((a, b) => shortfall(a) - shortfall(b) || byPrice(f.spot)(a, b))
    .slice(0, limit);
}
