// Cloud benchmarks against the fakes: `up` of 1 scheduler + 1000 workers with 100 ms latency per call and the
// fake's default rate limits, a second `up` that has nothing to do (its calls counted from the fake's log), then
// `status` of that cluster. Each figure comes with its own baseline from the same run: the launch phase against
// the number of calls it needed, and status at 0 ms latency against a bare `node -e 0` (bench/status.ts).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { FAKES } from "../test/fakes/index.js";
import type { FakeCloud } from "../test/fakes/harness.js";
import type { ProviderName } from "../src/spec/schema.js";
import { callCounts, run, statusRatios } from "./status.js";

const WORKERS = Number(process.env.BENCH_WORKERS ?? 1000);
const SMALL = Number(process.env.BENCH_SMALL_WORKERS ?? 300);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 100);
const TARGETS = { small: 6, large: 8, absent: 4 };
// BENCH_STATUS_ONLY=1 skips the launch at latency (minutes) and measures only the status ratios.
const STATUS_ONLY = process.env.BENCH_STATUS_ONLY === "1";

function writeSpec(home: string, fake: FakeCloud, name: string, workers: number): string {
  const keyFile = join(home, "id.pub");
  writeFileSync(keyFile, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bench\n");
  const file = join(home, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      name,
      provider: fake.provider,
      region: fake.spec.region,
      scheduler: { min_vcpus: 2, min_memory_gib: 8 },
      workers: { count: workers, min_vcpus: 2, min_memory_gib: 8 },
      network: { subnet: fake.spec.subnet, allowed_cidrs: ["203.0.113.10/32"] },
      ssh: { public_key_file: keyFile },
      ...fake.spec.extra,
    }),
  );
  return file;
}

/**
 * The account's vCPU quota raised, as a user would have it raised before launching 1000 nodes: EC2's default of
 * 1152 standard vCPUs stops a 1 + 1000 launch of 2-vCPU nodes at the quota pre-check (the GCP and Azure fakes'
 * defaults are already this high).
 */
function raiseQuota(fake: FakeCloud): void {
  fake.setQuota("vcpus", 100_000);
}

/** The flags that find a cluster in the fake's account without a local record (or a spec) naming it. */
function targetFlags(fake: FakeCloud): string[] {
  const extra = fake.spec.extra as {
    gcp?: { project: string };
    azure?: { resource_group: string; subscription_id: string };
  };
  return [
    "--provider",
    fake.provider,
    "--region",
    fake.spec.region,
    ...(extra.gcp ? ["--project", extra.gcp.project] : []),
    ...(extra.azure
      ? ["--resource-group", extra.azure.resource_group, "--subscription", extra.azure.subscription_id]
      : []),
  ];
}

async function benchProvider(provider: ProviderName) {
  let fake = await (await FAKES[provider]())({ latencyMs: LATENCY, transitionMs: 1000 });
  raiseQuota(fake);
  const home = mkdtempSync(join(tmpdir(), `cloudlaunch-bench-${provider}-`));
  // The fakes' env tunes polling for millisecond test transitions; the benchmark runs the drivers' own defaults.
  const env: Record<string, string> = {
    ...fake.env,
    HOME: home,
    CLOUDLAUNCH_HOME: join(home, ".cloudlaunch"),
    NO_COLOR: "1",
    CI: "true",
  };
  for (const key of Object.keys(env)) if (/^CLOUDLAUNCH_\w+_POLL/.test(key)) delete env[key];
  const up = async (spec: string) => {
    const before = fake.calls.length;
    const r = await run(["bin/cloudlaunch", "up", spec], env);
    if (r.code !== 0)
      throw new Error(
        `${provider} up ${spec} failed (${r.code}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`,
      );
    return { ...r, calls: fake.calls.slice(before) };
  };
  try {
    const large = writeSpec(home, fake, "bench", WORKERS);
    const launchFigures = STATUS_ONLY ? { provider, skipped: "BENCH_STATUS_ONLY" } : await measureLaunch(large);
    await fake.close();

    // Status ratios in an account holding a 1 + SMALL and a 1 + WORKERS cluster, at 0 ms and without the request
    // limits: launched back to back, the second cluster would wait minutes for EC2's RunInstances bucket to refill.
    fake = await (await FAKES[provider]())({ latencyMs: 0, transitionMs: 1000, rateLimits: false });
    raiseQuota(fake);
    Object.assign(env, fake.env);
    for (const key of Object.keys(env)) if (/^CLOUDLAUNCH_\w+_POLL/.test(key)) delete env[key];
    await up(large);
    await up(writeSpec(home, fake, "bench-small", SMALL));
    const ratios = await statusRatios(
      {
        small: { args: ["bin/cloudlaunch", "status", "bench-small", "--json"], codes: [0] },
        large: { args: ["bin/cloudlaunch", "status", "bench", "--json"], codes: [0] },
        absent: { args: ["bin/cloudlaunch", "status", "bench-absent", "--json", ...targetFlags(fake)], codes: [1] },
      },
      env,
    );
    const within = (Object.keys(TARGETS) as (keyof typeof TARGETS)[]).every((k) => ratios[k] <= TARGETS[k]);
    return {
      launch: launchFigures,
      status: {
        provider,
        [`1+${SMALL} (≤ ${TARGETS.small}×)`]: ratios.small,
        [`1+${WORKERS} (≤ ${TARGETS.large}×)`]: ratios.large,
        [`absent (≤ ${TARGETS.absent}×)`]: ratios.absent,
        [`peak RSS MB, 1+${WORKERS}`]: await peakRssMb(),
        "within targets": within,
      },
    };
  } finally {
    await fake.close();
  }

  async function peakRssMb(): Promise<number> {
    const status = await run(
      ["-r", join(__dirname, "../test/support/report-rss.js"), "bin/cloudlaunch", "status", "bench", "--json"],
      env,
    );
    if (status.code !== 0) throw new Error(`${provider} status failed: ${status.stderr.slice(-2000)}`);
    return Math.round(Number(/PEAK-RSS-KB: (\d+)/.exec(status.stderr)?.[1] ?? 0) / 1024);
  }

  async function measureLaunch(large: string) {
    const launch = await up(large);
    const firstLaunch =
      launch.calls.find((c) => c.mutating && /run|insert|virtualMachines|createOrUpdate|put/i.test(c.action))?.at ??
      launch.calls[0].at;
    const launchMs = launch.calls.at(-1)!.at - firstLaunch;
    const noop = await up(large);
    const statusBefore = fake.calls.length;
    const status = await run(["bin/cloudlaunch", "status", "bench", "--json"], env);
    if (status.code !== 0) throw new Error(`${provider} status failed: ${status.stderr.slice(-2000)}`);
    return {
      provider,
      "up wall s": +(launch.ms / 1000).toFixed(1),
      "launch phase s": +(launchMs / 1000).toFixed(1),
      "up calls": launch.calls.length,
      throttled: launch.calls.filter((c) => c.throttled).length,
      "launch s per 100 calls": +((launchMs / 1000 / launch.calls.length) * 100).toFixed(2),
      "no-op up calls": callCounts(noop.calls),
      "status s": +(status.ms / 1000).toFixed(2),
      "status calls": fake.calls.length - statusBefore,
    };
  }
}

async function main() {
  const providers = (process.env.BENCH_PROVIDERS ?? "aws,gcp,azure").split(",") as ProviderName[];
  const launches = [];
  const statuses = [];
  for (const p of providers) {
    try {
      const r = await benchProvider(p);
      launches.push(r.launch);
      statuses.push(r.status);
    } catch (err) {
      launches.push({ provider: p, error: String((err as Error).message).slice(0, 300) });
    }
  }
  console.log(`\nCloud (fakes, ${LATENCY} ms per call, 1 + ${WORKERS} workers, default rate limits):`);
  console.table(launches);
  console.log(
    `At ${LATENCY} ms a call, one call per VM in sequence would take ${((WORKERS * LATENCY) / 1000).toFixed(0)} s for the launches alone.`,
  );
  console.log(
    "\n`status NAME` at 0 ms latency, as a ratio to `node -e 0` in the same rounds (absent: a cluster that does not exist):",
  );
  console.table(statuses);
}

void main();
