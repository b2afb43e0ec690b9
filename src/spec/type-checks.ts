// The types the spec asks for, checked against the catalog at validation: floors that no type meets, or an explicit
// type the driver cannot launch, are spec errors at the role's field rather than a failure after planning.
import { typesIn } from "../catalog/catalog.js";
import { chooseRole } from "../plan/choose.js";
import { errorKind } from "../errors.js";
import type { ResolvedSpec, RoleName } from "./schema.js";
import type { Finding } from "./checks.js";

/** Runs on a spec that passed the schema and the semantic checks (so the region and the types are known). */
export function typeFindings(spec: ResolvedSpec, catalogDir?: string): Finding[] {
  const types = typesIn(spec.provider, spec.region, catalogDir);
  const found: Finding[] = [];
  for (const [role, key] of [
    ["scheduler", "scheduler"],
    ["worker", "workers"],
  ] as [RoleName, "scheduler" | "workers"][]) {
    const roleSpec = spec[key];
    try {
      chooseRole(spec, role, roleSpec, types);
    } catch (err) {
      if (errorKind(err) !== "PlanError") throw err;
      const field = roleSpec.instance_type
        ? "instance_type"
        : roleSpec.min_vcpus !== undefined
          ? "min_vcpus"
          : "min_memory_gib";
      found.push({ path: [key, field], message: (err as Error).message.replace(/^(scheduler|worker): /, "") });
    }
  }
  return found;
}
