// Hourly costs beyond the instance itself. Public list prices, USD; a month is 730 hours as the providers bill.
// These are the us-east / us-central list prices; other regions differ by a few percent.
import type { ProviderName } from "../spec/schema.js";

const HOURS_PER_MONTH = 730;

/** Charge for one in-use public IPv4 address, per hour. */
export function publicIpHourly(provider: ProviderName, spot: boolean): number {
  switch (provider) {
    // https://aws.amazon.com/vpc/pricing/ — "Public IPv4 Address": $0.005 per IP per hour (since 2024-02-01).
    case "aws":
      return 0.005;
    // https://cloud.google.com/vpc/network-pricing#ipaddress — external IPv4 in use by a standard VM $0.005/h,
    // by a Spot/preemptible VM $0.0025/h.
    case "gcp":
      return spot ? 0.0025 : 0.005;
    // https://azure.microsoft.com/pricing/details/ip-addresses/ — Standard static public IPv4: $0.005 per hour.
    case "azure":
      return 0.005;
  }
}

// https://azure.microsoft.com/pricing/details/managed-disks/ — Standard SSD LRS (E-series) disks are billed by
// tier, per month: E4 32 GiB … E70 16 TiB (East US).
const AZURE_STANDARD_SSD_TIERS: [maxGib: number, monthly: number][] = [
  [32, 2.4],
  [64, 4.8],
  [128, 9.6],
  [256, 19.2],
  [512, 38.4],
  [1024, 76.8],
  [2048, 153.6],
  [4096, 307.2],
  [8192, 614.4],
  [16384, 1228.8],
];

/** One boot disk of `gib`, per hour, in the disk type the driver creates. */
export function bootDiskHourly(provider: ProviderName, gib: number): number {
  switch (provider) {
    // https://aws.amazon.com/ebs/pricing/ — gp3: $0.08 per GB-month (us-east-1).
    case "aws":
      return (gib * 0.08) / HOURS_PER_MONTH;
    // https://cloud.google.com/compute/disks-image-pricing#disk — pd-balanced: $0.10 per GB-month (us-central1).
    // N4/C4-family machines take Hyperdisk Balanced instead, priced differently; this figure does not model it.
    case "gcp":
      return (gib * 0.1) / HOURS_PER_MONTH;
    case "azure": {
      const tier = AZURE_STANDARD_SSD_TIERS.find(([max]) => gib <= max) ?? AZURE_STANDARD_SSD_TIERS.at(-1)!;
      return tier[1] / HOURS_PER_MONTH;
    }
  }
}
