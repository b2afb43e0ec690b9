// Durations as the spec and the flags write them: a number and a unit. The spec's max_lifetime and idle_timeout are
// whole minutes, hours or days (the schema's pattern ^[0-9]+[mhd]$); --wait-timeout also takes seconds, fractions
// and a bare number of seconds.
import { PlanError } from "../errors.js";

type Unit = "s" | "m" | "h" | "d";
const SECONDS: Record<Unit, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90s", "15m", "1.5h", "2d" → seconds (a bare number is seconds); undefined when not one of `units`. */
export function parseDuration(text: string, units = "smhd"): number | undefined {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]?)\s*$/.exec(text);
  const unit = (match?.[2] || "s") as Unit;
  if (!match || !units.includes(unit) || (!match[2] && !units.includes("s"))) return undefined;
  return Number(match[1]) * SECONDS[unit];
}

/** The spec fields that are durations. */
type SpecDuration = "max_lifetime" | "idle_timeout";

/** A spec duration in seconds when it has the schema's shape (^[0-9]+[mhd]$); undefined otherwise. */
export function specDuration(value: unknown): number | undefined {
  return typeof value === "string" && /^[0-9]+[mhd]$/.test(value) ? parseDuration(value, "mhd") : undefined;
}

/** A spec duration in seconds: a zero one would act as the nodes boot, so it is at least a minute. */
export function specDurationSeconds(field: SpecDuration, text: string): number {
  const seconds = specDuration(text);
  if (seconds === undefined)
    throw new PlanError(`${field} ${JSON.stringify(text)} is not a number followed by m, h or d`);
  if (seconds < 60) throw new PlanError(`${field} must be at least 1m`);
  return seconds;
}
