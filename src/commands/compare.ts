// compare: plan the spec's scheduler and workers on every cloud and region of the bundled catalog, offline, and
// rank them by $/hour. Needs no account and loads no SDK.
import { regionsOf, typesIn } from "../catalog/catalog.js";
import { UsageError } from "../errors.js";
import { compareClusters, type CompareTarget } from "../plan/compare.js";
import { compareJson, compareText } from "../render/compare.js";
import { makeOutput } from "../render/output.js";
import { loadSpecFile } from "../spec/load.js";
import { PROVIDERS, type ProviderName } from "../spec/schema.js";
import type { Settings } from "../settings.js";

export interface CompareOptions {
  json?: boolean;
  /** Comma-separated, e.g. "aws,gcp". */
  providers?: string;
  /** Comma-separated regions/locations of any of the providers. */
  regions?: string;
}

export async function compare(specFile: string, options: CompareOptions, settings: Settings): Promise<number> {
  const out = makeOutput(!!options.json);
  const { spec, warnings } = loadSpecFile(specFile, "launch", settings);
  for (const w of warnings) out.warn(w);
  if (spec.scheduler.instance_type || spec.workers.instance_type) {
    out.info(
      `an explicit instance type is compared by its size (vCPUs and memory) outside ${spec.provider}'s regions that offer it`,
    );
  }
  const comparison = compareClusters(
    spec,
    typesIn(spec.provider, spec.region, settings.catalogDir),
    targetsOf(options, settings.catalogDir),
  );
  out.print(out.json ? JSON.stringify(compareJson(spec, comparison), null, 2) : compareText(spec, comparison, out));
  return 0;
}

function targetsOf(options: CompareOptions, catalogDir: string | undefined): CompareTarget[] {
  const list = (s?: string) =>
    s
      ?.split(",")
      .map((x) => x.trim())
      .filter(Boolean);
  const providers = (list(options.providers) ?? [...PROVIDERS]) as ProviderName[];
  for (const p of providers) {
    if (!PROVIDERS.includes(p)) throw new UsageError(`--providers: unknown cloud "${p}" (aws, gcp, azure)`);
  }
  const regions = list(options.regions);
  const targets = providers.flatMap((provider) =>
    regionsOf(provider, catalogDir)
      .filter((r) => !regions || regions.includes(r))
      .map((region) => ({ provider, region })),
  );
  const unknown = regions?.filter((r) => !targets.some((t) => t.region === r)) ?? [];
  if (unknown.length) {
    throw new UsageError(`--regions: ${unknown.join(", ")} not in the catalog of ${providers.join(", ")}`);
  }
  return targets.map((t) => ({ ...t, types: typesIn(t.provider, t.region, catalogDir) }));
}
