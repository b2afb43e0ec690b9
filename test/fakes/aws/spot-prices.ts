// DescribeSpotPriceHistory: per (type, zone) the price now, from the bundled catalog's spot column times a fixed
// per-zone factor (zones do differ in EC2), unless a test set one in world.spotPriceOverrides.
// Request: InstanceType.N, ProductDescription.N, StartTime, EndTime, AvailabilityZone, MaxResults/NextToken; response
// `spotPriceHistorySet` of {instanceType, productDescription, spotPrice, timestamp, availabilityZone}.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSpotPriceHistory.html
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { catalogDir } from "../../../src/catalog/catalog";
import type { ActionContext, ActionResult } from "./actions.js";
import { paginate } from "./filters.js";
import { type Params, str, strings } from "./wire.js";

/** Zone a, b, c, ... prices: the catalog's region-wide value scaled by these. */
const ZONE_FACTORS = [1.0, 0.96, 1.07, 1.02, 0.99, 1.05];
const catalogSpot = new Map<string, Map<string, number>>();

function spotOf(region: string, type: string): number | undefined {
  let byType = catalogSpot.get(region);
  if (!byType) {
    const rows = (
      JSON.parse(readFileSync(join(catalogDir(), "aws", `${region}.json`), "utf8")) as { rows: unknown[][] }
    ).rows;
    byType = new Map(rows.filter((r) => typeof r[8] === "number").map((r) => [r[0] as string, r[8] as number]));
    catalogSpot.set(region, byType);
  }
  return byType.get(type);
}

export function describeSpotPriceHistory(params: Params, ctx: ActionContext): ActionResult {
  const { world } = ctx;
  const types = strings(params.InstanceType);
  const products = strings(params.ProductDescription);
  const zone = str(params, "AvailabilityZone");
  const items: {
    instanceType: string;
    productDescription: string;
    spotPrice: string;
    timestamp: Date;
    availabilityZone: string;
  }[] = [];
  if (!products.length || products.includes("Linux/UNIX")) {
    for (const type of types.length ? types : [...world.types.keys()]) {
      world.zones.forEach((z, i) => {
        if ((zone && z !== zone) || !world.offered(type, z)) return;
        const override = world.spotPriceOverrides.get(`${type}/${z}`);
        const base = spotOf(world.region, type);
        const price = override ?? (base === undefined ? undefined : base * ZONE_FACTORS[i % ZONE_FACTORS.length]);
        if (price === undefined) return;
        items.push({
          instanceType: type,
          productDescription: "Linux/UNIX",
          spotPrice: price.toFixed(6),
          timestamp: new Date(ctx.now - 3_600_000),
          availabilityZone: z,
        });
      });
    }
  }
  const { page, nextToken } = paginate(items, params);
  return { spotPriceHistorySet: page, nextToken };
}
