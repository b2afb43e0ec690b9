// Compute Engine regional quotas before launch, from the regions.get the preflight already makes
// (https://cloud.google.com/compute/docs/reference/rest/v1/regions#Quota): every new vCPU counts against CPUS and, for
// a series with its own quota (N2_CPUS, C3_CPUS, ... when the region lists it), against that too; Spot vCPUs count
// against PREEMPTIBLE_CPUS instead when the project has that quota
// (https://cloud.google.com/compute/resource-usage#preemptible_quotas); each node's ephemeral external IPv4 against
// IN_USE_ADDRESSES.
import { addNeed, assertQuotas, nodesToAdd, type QuotaBucket } from "../../plan/quota.js";
import type { Plan } from "../../plan/types.js";

interface RegionQuota {
  metric?: string | null;
  limit?: number | null;
  usage?: number | null;
}

const seriesQuota = (machineType: string) => `${machineType.split("-")[0].toUpperCase()}_CPUS`;

export function checkQuotas(project: string, plan: Plan, quotas: RegionQuota[]): void {
  const byMetric = new Map(quotas.filter((q) => q.metric).map((q) => [q.metric!, q]));
  const preemptible = Number(byMetric.get("PREEMPTIBLE_CPUS")?.limit ?? 0) > 0;
  const needs = new Map<string, number>();
  for (const n of nodesToAdd(plan)) {
    if (n.spot && preemptible) addNeed(needs, "PREEMPTIBLE_CPUS", n.vcpus);
    else {
      addNeed(needs, "CPUS", n.vcpus);
      if (byMetric.has(seriesQuota(n.instanceType))) addNeed(needs, seriesQuota(n.instanceType), n.vcpus);
    }
    addNeed(needs, "IN_USE_ADDRESSES", 1);
  }
  const buckets: QuotaBucket[] = [...needs].flatMap(([metric, needed]) => {
    const q = byMetric.get(metric);
    if (!q) return [];
    return [
      {
        name: metric,
        unit: metric === "IN_USE_ADDRESSES" ? ("addresses" as const) : ("vCPUs" as const),
        needed,
        limit: Number(q.limit ?? 0),
        inUse: Number(q.usage ?? 0),
        raise:
          `request more at https://console.cloud.google.com/iam-admin/quotas?project=${project} ` +
          `(compute.googleapis.com, ${metric}, region ${plan.region})`,
      },
    ];
  });
  assertQuotas(`GCP ${plan.region} (project ${project})`, buckets);
}
