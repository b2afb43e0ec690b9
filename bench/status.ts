// `status` against the fakes at 0 ms latency, each figure a ratio to a bare `node -e 0` measured in the same rounds
// (interleaved, median of BENCH_STATUS_RUNS), so the machine's speed and load cancel out: a small and a large
// cluster, and a cluster that does not exist, in an account holding both of the others.
import { spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_STATUS_RUNS ?? 7);

export interface Run {
  code: number;
  ms: number;
  stderr: string;
  stdout: string;
}

/** Spawns node asynchronously: the fakes answer from this process's event loop. */
export function run(args: string[], env: Record<string, string>, nodeArgs: string[] = []): Promise<Run> {
  return new Promise((done) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [...nodeArgs, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) =>
      done({ code: code ?? -1, ms: Number(process.hrtime.bigint() - start) / 1e6, stderr, stdout }),
    );
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Each case is CLI arguments and the exit codes it may end with (status of an absent cluster exits 1). */
export type StatusCases = Record<string, { args: string[]; codes: number[] }>;

export async function statusRatios(cases: StatusCases, env: Record<string, string>): Promise<Record<string, number>> {
  const all: StatusCases = { "node -e 0": { args: ["-e", "0"], codes: [0] }, ...cases };
  const samples = Object.fromEntries(Object.keys(all).map((k) => [k, [] as number[]]));
  for (const c of Object.values(all)) await run(c.args, env); // warm the file cache
  for (let i = 0; i < RUNS; i++) {
    for (const [name, c] of Object.entries(all)) {
      const r = await run(c.args, env);
      if (!c.codes.includes(r.code)) throw new Error(`${name} exited ${r.code}: ${r.stderr.slice(-1000)}`);
      samples[name].push(r.ms);
    }
  }
  const base = median(samples["node -e 0"]);
  return Object.fromEntries(Object.keys(cases).map((name) => [name, +(median(samples[name]) / base).toFixed(2)]));
}

/** Mutating and read calls of a slice of a fake's call log. */
export function callCounts(calls: { mutating: boolean }[]): string {
  const mutating = calls.filter((c) => c.mutating).length;
  return `${mutating} mutating, ${calls.length - mutating} reads`;
}
