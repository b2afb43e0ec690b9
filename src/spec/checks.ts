// Rules JSON Schema cannot express: CIDRs, regions and types known to the catalog, provider blocks, floors.
import { closest } from "fastest-levenshtein";
import { findType, regionsOf, typesIn } from "../catalog/catalog.js";
import type { ClusterSpec, RoleSpec } from "./schema.js";
import type { SpecContext } from "../settings.js";
import type { FieldPath } from "./positions.js";
import { cidrFindings } from "./cidrs.js";
import { tagFindings } from "./tag-rules.js";

export interface Finding {
  path: FieldPath;
  message: string;
  warning?: boolean;
}

const ZONE_PATTERNS: Record<ClusterSpec["provider"], (region: string, zone: string) => boolean> = {
  aws: (region, zone) => new RegExp(`^${region}[a-z]$`).test(zone) || new RegExp(`^${region}-[a-z0-9-]+$`).test(zone),
  gcp: (region, zone) => new RegExp(`^${region}-[a-z]$`).test(zone),
  azure: (_region, zone) => /^[1-3]$/.test(zone),
};

/**
 * Runs on the raw document too, before the schema passed, so that all problems come out in one go: every rule
 * looks only at fields that have the right shape and leaves wrong shapes to the schema errors.
 */
export function semanticFindings(raw: unknown, { env = {}, catalogDir }: SpecContext = {}): Finding[] {
  const spec = (raw && typeof raw === "object" ? raw : {}) as ClusterSpec;
  if (!["aws", "gcp", "azure"].includes(spec.provider as string) || typeof spec.region !== "string") return [];
  const found: Finding[] = [];
  const regions = regionsOf(spec.provider, catalogDir);
  const regionKnown = regions.includes(spec.region);
  if (!regionKnown) {
    found.push({
      path: ["region"],
      message: `unknown ${spec.provider} region "${spec.region}"${suggest(spec.region, regions)}`,
    });
  }
  if (typeof spec.zone === "string" && !ZONE_PATTERNS[spec.provider](spec.region, spec.zone)) {
    const example = { aws: `${spec.region}a`, gcp: `${spec.region}-a`, azure: "1" }[spec.provider];
    found.push({ path: ["zone"], message: `"${spec.zone}" is not a zone of ${spec.region} (e.g. ${example})` });
  }
  found.push(...cidrFindings(spec).findings);
  if (spec.provider === "gcp" && !spec.gcp)
    found.push({ path: [], message: "provider gcp needs a gcp block: gcp: {project: my-project}" });
  if (spec.provider === "azure" && !spec.azure) {
    found.push({ path: [], message: "provider azure needs an azure block: azure: {resource_group: my-rg}" });
  }
  if (spec.provider === "azure" && spec.azure && !spec.azure.subscription_id && !env.AZURE_SUBSCRIPTION_ID) {
    found.push({
      path: ["azure"],
      message: "azure.subscription_id is not set and neither is AZURE_SUBSCRIPTION_ID",
      warning: true,
    });
  }
  found.push(...tagFindings(spec.provider, spec.tags));
  for (const [role, path] of [
    [spec.scheduler, ["scheduler"]],
    [spec.workers, ["workers"]],
  ] as const) {
    if (role && typeof role === "object") found.push(...roleFindings(spec, role, [...path], regionKnown, catalogDir));
  }
  return found;
}

function roleFindings(
  spec: ClusterSpec,
  role: RoleSpec,
  path: FieldPath,
  regionKnown: boolean,
  catalogDir: string | undefined,
): Finding[] {
  const hasFloors = role.min_vcpus !== undefined || role.min_memory_gib !== undefined;
  if (role.instance_type && hasFloors) {
    return [
      {
        path: [...path, "instance_type"],
        message: "give either instance_type or the floors (min_vcpus, min_memory_gib), not both",
      },
    ];
  }
  if (!role.instance_type && !hasFloors) {
    return [{ path, message: "needs instance_type, or min_vcpus and/or min_memory_gib" }];
  }
  if (
    typeof role.instance_type === "string" &&
    regionKnown &&
    !findType(spec.provider, spec.region, role.instance_type, catalogDir)
  ) {
    const known = typesIn(spec.provider, spec.region, catalogDir).map((t) => t.type);
    const hint = suggest(role.instance_type, known);
    return [
      { path: [...path, "instance_type"], message: `"${role.instance_type}" is not offered in ${spec.region}${hint}` },
    ];
  }
  return [];
}

export function suggest(value: string, options: readonly string[]): string {
  if (!options.length) return "";
  const best = closest(value, [...options]);
  return best && best !== value ? ` (did you mean "${best}"?)` : "";
}
