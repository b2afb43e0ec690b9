// Azure quotas before launch: Compute's usages per location (https://learn.microsoft.com/rest/api/compute/usage/list)
// — "cores" (Total Regional vCPUs) and the size's family (resourceSkus `family`, e.g. "standardDSv5Family") for
// regular VMs, "lowPriorityCores" alone for Spot VMs (https://learn.microsoft.com/azure/virtual-machines/spot-vms#quota)
// — and Network's "PublicIPAddresses" (https://learn.microsoft.com/rest/api/virtualnetwork/usages/list), one per node.
import type { Usage } from "@azure/arm-compute";
import { addNeed, assertQuotas, nodesToAdd, type QuotaBucket } from "../../plan/quota.js";
import type { Plan } from "../../plan/types.js";
import type { AzureClients } from "./clients.js";
import { toCloudError } from "./errors.js";
import type { SkuAvailability } from "./skus.js";

interface UsageLike {
  name?: { value?: string; localizedValue?: string };
  currentValue?: number | null;
  limit?: number | null;
}

async function usages(c: AzureClients): Promise<Map<string, UsageLike>> {
  const location = c.settings.location;
  const out = new Map<string, UsageLike>();
  try {
    for await (const u of c.compute.usage.list(location)) if (u.name?.value) out.set(u.name.value, u as Usage);
    for await (const u of c.network.usages.list(location)) if (u.name?.value) out.set(u.name.value, u);
  } catch (err) {
    throw toCloudError(err, `reading the quotas (usages) of ${location}`);
  }
  return out;
}

export async function checkQuotas(c: AzureClients, plan: Plan, skus: SkuAvailability): Promise<void> {
  const needs = new Map<string, number>();
  for (const n of nodesToAdd(plan)) {
    if (n.spot) addNeed(needs, "lowPriorityCores", n.vcpus);
    else {
      addNeed(needs, "cores", n.vcpus);
      const family = skus.family(n.instanceType);
      if (family) addNeed(needs, family, n.vcpus);
    }
    addNeed(needs, "PublicIPAddresses", 1);
  }
  if (!needs.size) return;
  const current = await usages(c);
  const portal = "https://portal.azure.com/#view/Microsoft_Azure_Capacity/QuotaMenuBlade/~/myQuotas";
  const buckets: QuotaBucket[] = [...needs].flatMap(([name, needed]) => {
    const u = current.get(name);
    if (!u || u.limit === undefined || u.limit === null) return [];
    return [
      {
        name: `${name} "${u.name?.localizedValue ?? name}"`,
        unit: name === "PublicIPAddresses" ? ("addresses" as const) : ("vCPUs" as const),
        needed,
        limit: Number(u.limit),
        inUse: Number(u.currentValue ?? 0),
        raise:
          `request more under Quotas in the portal (${portal}), ${name === "PublicIPAddresses" ? "Networking" : "Compute"}, ` +
          `location ${c.settings.location}`,
      },
    ];
  });
  assertQuotas(`Azure ${c.settings.location}`, buckets);
}
