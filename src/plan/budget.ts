// The spec's money ceiling, checked against the plan. Pure: the command turns a breach into a SpecError pointing
// at budget.max_hourly_usd, so it exits 2 like every other spec problem, in --dryrun too.
import { SpecError } from "../errors.js";
import type { Plan } from "./types.js";

const BUDGET_PATH = ["budget", "max_hourly_usd"];

/** Why the plan breaks the budget, or undefined when it fits (or the spec sets none). */
function budgetBreach(plan: Plan): string | undefined {
  const max = plan.spec.budget?.max_hourly_usd;
  if (max === undefined || plan.hourlyCost.total <= max) return undefined;
  const c = plan.hourlyCost;
  const nodes = plan.nodes.filter((n) => n.action !== "terminate").length;
  return (
    `the plan costs $${c.total.toFixed(4)}/hour for ${nodes} node(s) (instances $${c.instances.toFixed(4)}, public IPv4 ` +
    `$${c.publicIps.toFixed(4)}, disks $${c.disks.toFixed(4)}), above the budget of $${max}/hour: ` +
    "ask for fewer or smaller workers, spot capacity, or raise budget.max_hourly_usd"
  );
}

type Locate = (path: (string | number)[]) => { line: number; column: number };

/** Throws the breach as a spec problem at budget.max_hourly_usd in `file`. */
export function assertWithinBudget(plan: Plan, file: string, locate: Locate): void {
  const breach = budgetBreach(plan);
  if (breach) throw new SpecError([{ file, ...locate(BUDGET_PATH), path: BUDGET_PATH.join("."), message: breach }]);
}
