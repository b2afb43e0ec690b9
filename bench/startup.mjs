// CLI overhead: `--help` and an offline `up --dryrun` of 1 + 1000 workers, each as a ratio to a bare `node -e 0`
// measured alongside in the same run (interleaved, median of N), so the machine's speed cancels out.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const RUNS = Number(process.env.BENCH_RUNS ?? 21);

export function cleanEnv(home) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|GOOGLE_|AZURE_|CLOUDLAUNCH_)/.test(k)) env[k] = v;
  return { ...env, HOME: home, CLOUDLAUNCH_HOME: join(home, ".cloudlaunch"), NO_COLOR: "1" };
}

function timeOnce(args, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function startupBench() {
  const home = mkdtempSync(join(tmpdir(), "cloudlaunch-bench-"));
  const spec = join(home, "big.yaml");
  writeFileSync(
    spec,
    [
      "name: bench",
      "provider: aws",
      "region: us-east-1",
      "scheduler: {min_vcpus: 2, min_memory_gib: 8}",
      "workers: {count: 1000, min_vcpus: 4, min_memory_gib: 16}",
      "network: {allowed_cidrs: [203.0.113.10/32]}",
      "",
    ].join("\n"),
  );
  const env = cleanEnv(home);
  const cases = {
    "node -e 0": ["-e", "0"],
    "cloudlaunch --help": ["bin/cloudlaunch", "--help"],
    "up --dryrun (1000 workers)": ["bin/cloudlaunch", "up", spec, "--dryrun"],
    "up --dryrun --json (1000 workers)": ["bin/cloudlaunch", "--json", "up", spec, "--dryrun"],
  };
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const args of Object.values(cases)) timeOnce(args, env); // warm the file cache
  for (let i = 0; i < RUNS; i++)
    for (const [name, args] of Object.entries(cases)) samples[name].push(timeOnce(args, env));
  const base = median(samples["node -e 0"]);
  const targets = {
    "cloudlaunch --help": 1.5,
    "up --dryrun (1000 workers)": 2.5,
    "up --dryrun --json (1000 workers)": 2.5,
  };
  return Object.entries(samples).map(([name, xs]) => ({
    name,
    median_ms: Math.round(median(xs) * 10) / 10,
    ratio: Math.round((median(xs) / base) * 100) / 100,
    target: targets[name] ?? null,
  }));
}
