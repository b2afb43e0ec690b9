// Live Azure spot prices from the public Retail Prices API (no credentials): the Linux "… Spot" meters of Virtual
// Machines in the location. https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices
// CLOUDLAUNCH_AZURE_PRICES_ENDPOINT overrides https://prices.azure.com (tests). Azure prices a location as a whole,
// so the zone key is "". Unreachable or malformed answers leave the plan on the bundled snapshot, which it names.
import type { LiveSpotPrices } from "../../plan/live-prices.js";

const PRICES_ENDPOINT_ENV = "CLOUDLAUNCH_AZURE_PRICES_ENDPOINT";
const MAX_PAGES = 100;

interface RetailItem {
  armSkuName?: string;
  skuName?: string;
  productName?: string;
  retailPrice?: number;
  unitOfMeasure?: string;
  type?: string;
}

export async function azureSpotPrices(
  location: string,
  sizes: string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<LiveSpotPrices | undefined> {
  if (!sizes.length) return undefined;
  const wanted = new Set(sizes);
  const base = (env[PRICES_ENDPOINT_ENV] || "https://prices.azure.com").replace(/\/+$/, "");
  const filter = `serviceName eq 'Virtual Machines' and armRegionName eq '${location}' and priceType eq 'Consumption' and contains(skuName, 'Spot')`;
  let next: string | null = `${base}/api/retail/prices?$filter=${encodeURIComponent(filter)}`;
  const prices = new Map<string, Map<string, number>>();
  const fetchedAt = new Date().toISOString();
  try {
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const res = await fetch(next, { signal: AbortSignal.timeout(20_000) });
      if (!res.ok) return undefined;
      const body = (await res.json()) as { Items?: RetailItem[]; NextPageLink?: string | null };
      for (const i of body.Items ?? []) {
        if (!i.armSkuName || !wanted.has(i.armSkuName) || typeof i.retailPrice !== "number") continue;
        // Windows meters carry the licence; low-priority meters are another product.
        if (/windows/i.test(i.productName ?? "") || !/ Spot$/.test(i.skuName ?? "") || i.unitOfMeasure !== "1 Hour")
          continue;
        prices.set(i.armSkuName, new Map([["", i.retailPrice]]));
      }
      next = body.NextPageLink ?? null;
    }
  } catch {
    return undefined;
  }
  return prices.size ? { source: "Azure Retail Prices API", fetchedAt, prices } : undefined;
}
