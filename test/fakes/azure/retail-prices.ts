// Azure's public Retail Prices API (no authentication) on the fake's endpoint: GET /api/retail/prices with an OData
// $filter, 100 items a page and a NextPageLink; Linux and Windows meters both listed, as the real API does.
// https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { catalogDir } from "../../../src/catalog/catalog";
import type { ArmState } from "./state.js";
import type { Reply } from "./resources.js";

const PAGE = 100;

interface PriceItem {
  currencyCode: "USD";
  retailPrice: number;
  unitPrice: number;
  armRegionName: string;
  location: string;
  effectiveStartDate: string;
  meterName: string;
  productName: string;
  skuName: string;
  serviceName: "Virtual Machines";
  serviceFamily: "Compute";
  unitOfMeasure: "1 Hour";
  type: "Consumption";
  isPrimaryMeterRegion: true;
  armSkuName: string;
}

function items(state: ArmState): PriceItem[] {
  const rows = (
    JSON.parse(readFileSync(join(catalogDir(), "azure", `${state.location}.json`), "utf8")) as { rows: unknown[][] }
  ).rows;
  const out: PriceItem[] = [];
  for (const r of rows) {
    const size = r[0] as string;
    const short = size.replace(/^Standard_/, "").replace(/_/g, " ");
    const series = `${short.split(" ")[0].replace(/\d.*/, "")} Series`;
    const item = (sku: string, product: string, price: number): PriceItem => ({
      currencyCode: "USD",
      retailPrice: price,
      unitPrice: price,
      armRegionName: state.location,
      location: "US East",
      effectiveStartDate: "2026-01-01T00:00:00Z",
      meterName: sku,
      productName: product,
      skuName: sku,
      serviceName: "Virtual Machines",
      serviceFamily: "Compute",
      unitOfMeasure: "1 Hour",
      type: "Consumption",
      isPrimaryMeterRegion: true,
      armSkuName: size,
    });
    out.push(item(short, `Virtual Machines ${series}`, r[7] as number));
    const spot = state.spotPriceOverrides.get(size) ?? (r[8] as number | null);
    if (spot === null || spot === undefined) continue;
    out.push(item(`${short} Spot`, `Virtual Machines ${series}`, spot));
    // Windows spot meters are cheaper-looking traps only in the sense that they are not the Linux price.
    out.push(item(`${short} Spot`, `Virtual Machines ${series} Windows`, spot * 0.5));
  }
  return out;
}

/** Filter names that differ from the item's field: the docs filter on `priceType`, the item says `type`. */
const FIELD: Record<string, string> = { priceType: "type" };

/** The subset of OData the driver and the docs' examples use: `field eq 'v'` and `contains(field, 'v')` joined by and. */
function matches(filter: string | null) {
  const clauses = (filter ?? "")
    .split(/\s+and\s+/i)
    .filter(Boolean)
    .map((c) => {
      const eq = /^(\w+)\s+eq\s+'([^']*)'$/i.exec(c.trim());
      if (eq)
        return (i: PriceItem) => String((i as unknown as Record<string, unknown>)[FIELD[eq[1]] ?? eq[1]]) === eq[2];
      const contains = /^contains\((\w+),\s*'([^']*)'\)$/i.exec(c.trim());
      if (contains)
        return (i: PriceItem) => String((i as unknown as Record<string, unknown>)[contains[1]]).includes(contains[2]);
      return () => false;
    });
  return (i: PriceItem) => clauses.every((f) => f(i));
}

export function retailPrices(state: ArmState, url: URL): Reply {
  const all = items(state).filter(matches(url.searchParams.get("$filter")));
  const skip = Number(url.searchParams.get("$skip") ?? 0);
  const page = all.slice(skip, skip + PAGE);
  const next = skip + PAGE < all.length ? new URL(url) : undefined;
  next?.searchParams.set("$skip", String(skip + PAGE));
  return {
    status: 200,
    body: {
      BillingCurrency: "USD",
      CustomerEntityId: "Default",
      CustomerEntityType: "Retail",
      Items: page,
      NextPageLink: next?.toString() ?? null,
      Count: page.length,
    },
  };
}
