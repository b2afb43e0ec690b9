// Quota pre-check, the pure half: what the plan adds per quota bucket, and the one message a shortfall gives. Each
// driver's quotas.ts maps nodes to its cloud's buckets and reads limits and usage; nothing here calls a cloud.
import { CloudError } from "../errors.js";
import type { Plan, PlannedNode } from "./types.js";

export interface QuotaBucket {
  /** The cloud's name of the quota, e.g. "L-1216C47A Running On-Demand Standard instances" or "N2_CPUS". */
  name: string;
  unit: "vCPUs" | "addresses";
  needed: number;
  limit: number;
  inUse: number;
  /** How to ask for more: a console link or command. */
  raise: string;
}

/** Nodes the plan will make billable: created, or started from stopped (a stopped VM holds no vCPU quota). */
export const nodesToAdd = (plan: Plan): PlannedNode[] =>
  plan.nodes.filter((n) => n.action === "create" || n.action === "start");

/** Adds `amount` to the bucket named `key` in `needs`. */
export function addNeed(needs: Map<string, number>, key: string, amount: number): void {
  if (amount > 0) needs.set(key, (needs.get(key) ?? 0) + amount);
}

const isShort = (b: QuotaBucket) => b.needed > b.limit - b.inUse;

/** Throws one CloudError (kind quota) listing every bucket the plan would overrun, one line each. */
export function assertQuotas(where: string, buckets: QuotaBucket[]): void {
  const short = buckets.filter(isShort);
  if (!short.length) return;
  const lines = short.map(
    (b) =>
      `  ${b.name}: needs ${b.needed} ${b.unit}, limit ${b.limit}, in use ${b.inUse} ` +
      `(${Math.max(0, b.limit - b.inUse)} free) — ${b.raise}`,
  );
  throw new CloudError(
    `Quota too low for this plan in ${where}; nothing was created:\n${lines.join("\n")}\n` +
      "Ask for more, or plan fewer or smaller nodes (or another region).",
    "quota",
  );
}
