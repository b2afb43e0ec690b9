// One role's instance type: the explicit type, or the cheapest meeting the floors, with the runner-up and fallbacks.
import { PlanError } from "../errors.js";
import { closestShortOf, launchNeeds, rankCandidates, type Floors } from "../catalog/select.js";
import type { InstanceType } from "../catalog/types.js";
import type { ResolvedRole, ResolvedSpec, RoleName } from "../spec/schema.js";
import type { RoleChoice } from "./types.js";

/** How many types the driver may fall back to when the chosen one has no capacity. */
const FALLBACKS = 4;

export function chooseRole(
  spec: ResolvedSpec,
  role: RoleName,
  roleSpec: ResolvedRole,
  types: InstanceType[],
): RoleChoice {
  const spot = roleSpec.spot;
  const where = `${spec.provider} ${spec.region}`;
  if (roleSpec.instance_type) {
    const chosen = types.find((t) => t.type === roleSpec.instance_type);
    if (!chosen) throw new PlanError(`${role}: instance type ${roleSpec.instance_type} is not offered in ${where}`);
    const needs = launchNeeds(chosen);
    if (needs)
      throw new PlanError(
        `${role}: ${chosen.type} needs ${needs}, which cloudlaunch does not set up; choose another type`,
      );
    if (spot && chosen.spotPriceHourly === null) {
      throw new PlanError(
        `${role}: ${chosen.type} has no spot price in ${where}; set spot: false or choose another type`,
      );
    }
    return {
      role,
      chosen,
      runnerUp: null,
      candidates: [chosen],
      placements: placementsOf(spec, [chosen]),
      spot,
      explicit: true,
    };
  }
  const floors: Floors = {
    minVcpus: roleSpec.min_vcpus,
    minMemoryGib: roleSpec.min_memory_gib,
    arch: spec.arch,
    spot,
    allowBurstable: roleSpec.allow_burstable,
  };
  const ranked = rankCandidates(types, floors);
  if (!ranked.length) throw new PlanError(noCandidate(role, where, floors, closestShortOf(types, floors)));
  const candidates = ranked.slice(0, 1 + FALLBACKS);
  return {
    role,
    chosen: ranked[0],
    runnerUp: ranked[1] ?? null,
    candidates,
    placements: placementsOf(spec, candidates),
    spot,
    explicit: false,
  };
}

/** Type-major: capacity pressure first moves a node to another zone at the same price, then to the next type. */
function placementsOf(spec: ResolvedSpec, candidates: InstanceType[]): RoleChoice["placements"] {
  return candidates.map((c) => ({ type: c.type, zone: spec.zone ?? "*" }));
}

function noCandidate(role: RoleName, where: string, f: Floors, closest: InstanceType[]): string {
  const wanted = [
    f.minVcpus !== undefined && `≥ ${f.minVcpus} vCPUs`,
    f.minMemoryGib !== undefined && `≥ ${f.minMemoryGib} GiB`,
    f.arch,
    f.spot && "with a spot price",
    !f.allowBurstable && "not burstable",
  ].filter(Boolean);
  const near = closest.map((t) => `${t.type} (${t.vcpus} vCPUs, ${t.memoryGib} GiB)`).join(", ");
  return `${role}: no instance type in ${where} has ${wanted.join(", ")}${near ? `; closest: ${near}` : ""}`;
}
