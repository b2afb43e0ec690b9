// The checks `up` runs after validating the spec and before its first mutation — and that `up --dryrun`, offline or
// online, runs identically: each role's user data rendered for every candidate type (a fallback type gets its own
// Dask sizing) and held to the cloud's limit, with placeholder TLS material so no CA is created on disk.
import { errorKind, SpecError, type SpecProblem } from "../errors.js";
import type { Plan, PlannedNode } from "../plan/types.js";
import { schedulerName } from "../naming.js";
import type { FieldPath } from "../spec/positions.js";
import type { RoleName } from "../spec/schema.js";
import { userDataRenderer } from "./userdata.js";

/** The longest IPv4 address: workers' user data carries the scheduler's, unknown until it runs. */
const LONGEST_SCHEDULER_IP = "255.255.255.255";

export async function checkBeforeLaunch(
  plan: Plan,
  problemAt: (path: FieldPath, message: string) => SpecProblem,
): Promise<void> {
  const render = await userDataRenderer(plan, true);
  const problems = new Map<string, SpecProblem>();
  for (const role of ["scheduler", "worker"] as RoleName[]) {
    const choice = role === "scheduler" ? plan.scheduler : plan.workers;
    const node = {
      name: role === "scheduler" ? schedulerName(plan.cluster) : `${plan.cluster}-worker`,
      role,
    } as PlannedNode;
    for (const type of choice.candidates) {
      try {
        render(node, type, role === "worker" ? LONGEST_SCHEDULER_IP : undefined);
      } catch (err) {
        if (errorKind(err) !== "PlanError") throw err;
        const message = (err as Error).message;
        problems.set(message, problemAt(fieldOf(plan, message), `${message} (as ${type.type})`));
        break;
      }
    }
  }
  if (problems.size) throw new SpecError([...problems.values()]);
}

/** The spec field a rendering refusal comes from; the user data's size is mostly the setup commands and packages. */
function fieldOf(plan: Plan, message: string): FieldPath {
  const dask = plan.spec.dask;
  if (/^max_lifetime/.test(message)) return ["max_lifetime"];
  if (/^(dask\.pip_packages|DASK_PIP_PACKAGES)\[/.test(message)) return ["dask", "pip_packages"];
  if (/^DASK_SETUP_COMMANDS\[/.test(message) || dask.setup_commands.length) return ["dask", "setup_commands"];
  if (dask.pip_packages.length) return ["dask", "pip_packages"];
  return Object.keys(plan.spec.tags).length ? ["tags"] : [];
}
