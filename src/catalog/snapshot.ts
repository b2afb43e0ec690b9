// When the bundled prices were taken, per cloud (from ../shared/catalog/README.md, "Sources" and "Caveats"): printed
// with every plan priced from the snapshot, so nobody mistakes it for a quote.
import type { ProviderName } from "../spec/schema.js";

export const SNAPSHOT_DATES: Record<ProviderName, { onDemand: string; spot: string }> = {
  // us-east-1 on-demand 2026-07-20, the other regions' 2025-11-04; the spot feed about 2026-08-11.
  aws: { onDemand: "2025-11-04 to 2026-07-20", spot: "2026-08-11" },
  // Cloud Billing Catalog SKUs via pricing.yml generated 2026-07-30. GCP changes spot prices at most once a month
  // (https://cloud.google.com/spot-vms/pricing), so the snapshot is what a plan can use.
  gcp: { onDemand: "2026-07-30", spot: "2026-07-30" },
  azure: { onDemand: "2026-05-20", spot: "2026-05-20" },
};
