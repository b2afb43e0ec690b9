// The one place spec defaults are applied: from the `default` annotations of the TypeBox schema, so the JSON Schema
// users see and the values the planner and drivers read cannot disagree.
import { Value } from "@sinclair/typebox/value";
import { ClusterSpecSchema, type ClusterSpec, type ResolvedSpec } from "./schema.js";

/** A copy of `spec` with every default of the schema filled in (the input is left as it was). */
export function resolveSpec(spec: ClusterSpec): ResolvedSpec {
  return Value.Default(ClusterSpecSchema, Value.Clone(spec)) as ResolvedSpec;
}

/** The ssh block alone (a cluster's local record keeps it): the same defaults. */
export function resolveSsh(ssh: ClusterSpec["ssh"]): ResolvedSpec["ssh"] {
  return Value.Default(ClusterSpecSchema.properties.ssh, Value.Clone(ssh)) as ResolvedSpec["ssh"];
}
