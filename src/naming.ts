// Node and cluster names, and the increment rule that keeps them from colliding.

/** Adds 1 to the last run of digits, keeping its zero-padded width and widening on overflow; no digits → "-1". */
export function increment(name: string): string {
  const m = /^(.*?)(\d+)(\D*)$/.exec(name);
  if (!m) return `${name}-1`;
  const [, head, digits, tail] = m;
  const next = (BigInt(digits) + 1n).toString().padStart(digits.length, "0");
  return `${head}${next}${tail}`;
}

export const schedulerName = (cluster: string) => `${cluster}-scheduler`;

export const workerName = (cluster: string, n: number) => `${cluster}-worker-${String(n).padStart(3, "0")}`;

/** The worker number in `<cluster>-worker-NNN`, or undefined for any other name. */
export function workerNumber(cluster: string, name: string): number | undefined {
  const prefix = `${cluster}-worker-`;
  if (!name.startsWith(prefix)) return undefined;
  const digits = name.slice(prefix.length);
  return /^\d+$/.test(digits) ? Number(digits) : undefined;
}

/** `count` new worker names numbered after the highest that exists (live, stopped or recently terminated). */
export function nextWorkerNames(cluster: string, existing: Iterable<string>, count: number): string[] {
  let highest = 0;
  for (const name of existing) highest = Math.max(highest, workerNumber(cluster, name) ?? 0);
  let name = workerName(cluster, highest);
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push((name = increment(name)));
  return names;
}

/** `name` if free, else the first of name → increment(name) → ... that no existing cluster uses. */
export function nextFreeName(name: string, taken: ReadonlySet<string>): string {
  let candidate = name;
  while (taken.has(candidate)) candidate = increment(candidate);
  return candidate;
}
