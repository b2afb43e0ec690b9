// Current EC2 spot prices per zone: DescribeSpotPriceHistory with StartTime = EndTime = now answers, for each type and
// zone, the last price change before that instant — the price now.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSpotPriceHistory.html
import { paginateDescribeSpotPriceHistory, type _InstanceType } from "@aws-sdk/client-ec2";
import type { LiveSpotPrices } from "../../plan/live-prices.js";
import type { Ec2Api } from "./client.js";

/** The API takes a list of types per request; batches keep each request a reasonable size. */
const BATCH = 100;

export async function spotPrices(api: Ec2Api, types: string[]): Promise<LiveSpotPrices | undefined> {
  if (!types.length) return undefined;
  const now = new Date();
  const prices = new Map<string, Map<string, number>>();
  for (let i = 0; i < types.length; i += BATCH) {
    const input = {
      InstanceTypes: types.slice(i, i + BATCH) as _InstanceType[],
      ProductDescriptions: ["Linux/UNIX"],
      StartTime: now,
      EndTime: now,
    };
    await api.call("DescribeSpotPriceHistory", async (ec2) => {
      for await (const page of paginateDescribeSpotPriceHistory({ client: ec2, pageSize: 1000 }, input)) {
        for (const p of page.SpotPriceHistory ?? []) {
          if (!p.InstanceType || !p.AvailabilityZone || !p.SpotPrice) continue;
          const byZone = prices.get(p.InstanceType) ?? new Map<string, number>();
          byZone.set(p.AvailabilityZone, Number(p.SpotPrice));
          prices.set(p.InstanceType, byZone);
        }
      }
    });
  }
  return { source: "EC2 DescribeSpotPriceHistory", fetchedAt: now.toISOString(), prices };
}
