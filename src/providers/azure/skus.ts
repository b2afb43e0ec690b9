// Which VM sizes this subscription may use in the location (and zone): resourceSkus lists every size with its zones
// and restrictions (NotAvailableForSubscription, QuotaId), so sizes that would be refused are skipped up front.
// REST reference: https://learn.microsoft.com/rest/api/compute/resource-skus/list
import type { ResourceSku } from "@azure/arm-compute";
import type { AzureClients } from "./clients.js";
import { toCloudError } from "./errors.js";

export class SkuAvailability {
  private constructor(
    private readonly byName: Map<string, ResourceSku>,
    private readonly location: string,
  ) {}

  static async load(c: AzureClients): Promise<SkuAvailability> {
    const location = c.settings.location;
    const byName = new Map<string, ResourceSku>();
    try {
      for await (const sku of c.compute.resourceSkus.list({ filter: `location eq '${location}'` })) {
        if (sku.resourceType === "virtualMachines" && sku.name) byName.set(sku.name.toLowerCase(), sku);
      }
    } catch (err) {
      throw toCloudError(err, `listing the VM sizes (resourceSkus) of ${location}`);
    }
    return new SkuAvailability(byName, location);
  }

  /** The size's quota family as Compute's usages name it (resourceSkus `family`, e.g. "standardDSv5Family"). */
  family(size: string): string | undefined {
    return this.byName.get(size.toLowerCase())?.family;
  }

  /** Why `size` cannot be used here (in `zone` if given), or undefined when it can. */
  unavailable(size: string, zone?: string): string | undefined {
    const sku = this.byName.get(size.toLowerCase());
    if (!sku) return `${size} is not offered in ${this.location}`;
    const loc = this.location.toLowerCase();
    for (const r of sku.restrictions ?? []) {
      if (r.type === "Location" && (r.values ?? []).some((v) => v.toLowerCase() === loc)) {
        return `${size} is restricted for this subscription in ${this.location} (${r.reasonCode ?? "restricted"})`;
      }
      if (zone && r.type === "Zone" && (r.restrictionInfo?.zones ?? []).includes(zone)) {
        return `${size} is restricted for this subscription in zone ${zone} (${r.reasonCode ?? "restricted"})`;
      }
    }
    if (zone) {
      const zones = sku.locationInfo?.find((l) => l.location?.toLowerCase() === loc)?.zones ?? [];
      if (!zones.includes(zone)) return `${size} is not offered in zone ${zone} of ${this.location}`;
    }
    return undefined;
  }
}
