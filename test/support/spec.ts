// Specs for tests that build one in code rather than parse YAML: the schema's defaults applied, as `up` sees them.
import { resolveSpec } from "../../src/spec/resolve.js";
import type { ClusterSpec, ResolvedSpec } from "../../src/spec/schema.js";

/** Any part of a spec, with the schema's defaults filled in (fields without a default stay as given). */
export function resolved(partial: Partial<ClusterSpec>): ResolvedSpec {
  return resolveSpec(partial as ClusterSpec);
}
