// Which cloud account and region a status/stop/start/terminate talks to: --spec, the flags, or the local record.
import { UsageError } from "../errors.js";
import type { ProviderTarget } from "../providers/index.js";
import { allRecords, readRecord } from "../records.js";
import { loadSpecFile } from "../spec/load.js";
import type { ProviderName } from "../spec/schema.js";
import type { Settings } from "../settings.js";

export interface TargetFlags {
  spec?: string;
  provider?: ProviderName;
  region?: string;
  project?: string;
  resourceGroup?: string;
  subscription?: string;
}

/** The targets to query: one when the user said which, else every (provider, region) of the local records. */
export function resolveTargets(cluster: string | undefined, flags: TargetFlags, settings: Settings): ProviderTarget[] {
  if (flags.spec) {
    const { spec } = loadSpecFile(flags.spec, "locate", settings);
    return [spec];
  }
  if (flags.provider || flags.region) {
    if (!flags.provider || !flags.region) throw new UsageError("give both --provider and --region (or --spec FILE)");
    return [
      {
        provider: flags.provider,
        region: flags.region,
        gcp: flags.project ? { project: flags.project } : undefined,
        azure: flags.resourceGroup
          ? { resource_group: flags.resourceGroup, subscription_id: flags.subscription }
          : undefined,
      },
    ];
  }
  if (cluster) {
    const record = readRecord(cluster, settings.home);
    if (!record) {
      throw new UsageError(
        `no local record of cluster ${cluster}: pass --spec FILE or --provider and --region to find it in the cloud`,
      );
    }
    return [record];
  }
  const seen = new Map<string, ProviderTarget>();
  for (const r of allRecords(settings.home))
    seen.set(JSON.stringify([r.provider, r.region, r.gcp?.project, r.azure?.resource_group]), r);
  if (!seen.size)
    throw new UsageError("no clusters recorded locally: pass --spec FILE or --provider and --region to list a region");
  return [...seen.values()];
}
