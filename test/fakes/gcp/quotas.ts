// The regional quotas regions.get reports, from what the project holds: `{metric, limit, usage}` entries
// (https://cloud.google.com/compute/docs/reference/rest/v1/regions#Quota). CPUS counts every vCPU; a series with its
// own quota (N2_CPUS, C3_CPUS, ...) counts its vCPUs there too; Spot/preemptible vCPUs count against
// PREEMPTIBLE_CPUS instead when the project has that quota (limit > 0), otherwise against CPUS
// (https://cloud.google.com/compute/resource-usage#preemptible_quotas); every ephemeral external IPv4 counts against
// IN_USE_ADDRESSES (https://cloud.google.com/compute/resource-usage#external_ip_addresses).
import { instanceStatus, type FakeInstance } from "./instances";
import type { FakeState } from "./state";

/** Limits besides CPUS (state.cpuQuota); a family not listed here has no quota of its own in the fake. */
export const DEFAULT_QUOTA_LIMITS: Record<string, number> = {
  PREEMPTIBLE_CPUS: 0,
  IN_USE_ADDRESSES: 100_000,
  N2_CPUS: 100_000,
  N2D_CPUS: 100_000,
  C2_CPUS: 100_000,
  C2D_CPUS: 100_000,
  C3_CPUS: 100_000,
  T2D_CPUS: 100_000,
};

export const isSpot = (i: FakeInstance) =>
  i.scheduling.provisioningModel === "SPOT" || i.scheduling.preemptible === true;
export const seriesQuota = (machineType: string) => `${machineType.split("-")[0].toUpperCase()}_CPUS`;

export function regionQuotas(state: FakeState, live: FakeInstance[], transitionMs: number) {
  const limits = { ...DEFAULT_QUOTA_LIMITS, ...state.quotaLimits };
  const usage = new Map<string, number>();
  const add = (metric: string, n: number) => usage.set(metric, (usage.get(metric) ?? 0) + n);
  for (const i of live) {
    const status = instanceStatus(i, transitionMs);
    if (status === "TERMINATED" || status === "GONE") continue;
    const cpus = i.machineType.guestCpus;
    if (isSpot(i) && limits.PREEMPTIBLE_CPUS > 0) add("PREEMPTIBLE_CPUS", cpus);
    else {
      add("CPUS", cpus);
      if (seriesQuota(i.machineType.name) in limits) add(seriesQuota(i.machineType.name), cpus);
    }
    if (i.natIp) add("IN_USE_ADDRESSES", 1);
  }
  return [
    { metric: "CPUS", limit: state.cpuQuota, usage: usage.get("CPUS") ?? 0 },
    ...Object.entries(limits).map(([metric, limit]) => ({ metric, limit, usage: usage.get(metric) ?? 0 })),
  ];
}
