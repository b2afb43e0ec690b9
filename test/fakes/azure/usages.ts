// Usage and limits per location, as Compute and Network report them:
//  GET /subscriptions/{s}/providers/Microsoft.Compute/locations/{l}/usages → {value: [{unit: "Count", currentValue,
//    limit, name: {value, localizedValue}}]} with "cores" (Total Regional vCPUs), one entry per size family
//    ("standardDSv5Family") and "lowPriorityCores" (Spot VMs count only there)
//    https://learn.microsoft.com/rest/api/compute/usage/list, https://learn.microsoft.com/azure/virtual-machines/spot-vms
//  GET /subscriptions/{s}/providers/Microsoft.Network/locations/{l}/usages → the same shape with an id, e.g.
//    "PublicIPAddresses" https://learn.microsoft.com/rest/api/virtualnetwork/usages/list
// A deallocated VM holds no vCPUs.
import { catalogRow, skuFamily, VM } from "./compute.js";
import { powerState, type ArmState } from "./state.js";
import { PIP } from "./network.js";
import type { Reply } from "./resources.js";

/** Limits by usage name; a family absent here gets FAMILY_DEFAULT. Tests lower them through ArmState.quotaLimits. */
export const DEFAULT_LIMITS: Record<string, number> = {
  cores: 100_000,
  lowPriorityCores: 100_000,
  PublicIPAddresses: 100_000,
};
const FAMILY_DEFAULT = 100_000;

const entry = (value: string, localizedValue: string, currentValue: number, limit: number) => ({
  unit: "Count",
  currentValue,
  limit,
  name: { value, localizedValue },
});

export function computeUsages(state: ArmState): Reply {
  const limits = { ...DEFAULT_LIMITS, ...state.quotaLimits };
  const used = new Map<string, number>();
  const add = (k: string, n: number) => used.set(k, (used.get(k) ?? 0) + n);
  for (const vm of state.all().filter((r) => r.type === VM)) {
    const power = powerState(vm);
    if (power === "deallocated" || power === "deallocating") continue;
    const size = String(vm.properties.hardwareProfile?.vmSize ?? "");
    const vcpus = catalogRow(size)?.vcpus ?? 0;
    if (vm.properties.priority === "Spot") add("lowPriorityCores", vcpus);
    else {
      add("cores", vcpus);
      add(skuFamily(size), vcpus);
    }
  }
  const families = new Set([...used.keys(), ...Object.keys(limits)].filter((k) => k.endsWith("Family")));
  const value = [
    entry("cores", "Total Regional vCPUs", used.get("cores") ?? 0, limits.cores),
    entry(
      "lowPriorityCores",
      "Total Regional Low-priority vCPUs",
      used.get("lowPriorityCores") ?? 0,
      limits.lowPriorityCores,
    ),
    ...[...families].sort().map((f) => entry(f, `${f} vCPUs`, used.get(f) ?? 0, limits[f] ?? FAMILY_DEFAULT)),
  ];
  return { status: 200, body: { value } };
}

export function networkUsages(state: ArmState): Reply {
  const limits = { ...DEFAULT_LIMITS, ...state.quotaLimits };
  const ips = state.all().filter((r) => r.type === PIP).length;
  const base = `/subscriptions/${state.subscription}/providers/Microsoft.Network/locations/${state.location}/usages`;
  return {
    status: 200,
    body: {
      value: [
        {
          ...entry("PublicIPAddresses", "Public IP Addresses", ips, limits.PublicIPAddresses),
          id: `${base}/PublicIPAddresses`,
        },
      ],
    },
  };
}
