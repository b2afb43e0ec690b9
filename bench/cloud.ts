// Cloud benchmarks against the fakes: `up` of 1 scheduler + 1000 workers with 100 ms latency per call and the
// fake's default rate limits, then `status` of that cluster. Each figure comes with its own baseline from the same
// run: the launch phase against the number of calls it needed, and status against a bare `node -e 0`.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { FAKES } from "../test/fakes/index.js";
import type { ProviderName } from "../src/spec/schema.js";

const ROOT = resolve(__dirname, "..");
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1000);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 100);

function run(args: string[], env: Record<string, string>, nodeArgs: string[] = []) {
  return new Promise<{ code: number; ms: number; stderr: string; stdout: string }>((done) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => done({ code: code ?? -1, ms: Number(process.hrtime.bigint() - start) / 1e6, stderr, stdout }));
  });
}

async function benchProvider(provider: ProviderName) {
  const fake = await (await FAKES[provider]())({ latencyMs: LATENCY, transitionMs: 1000 });
  const home = mkdtempSync(join(tmpdir(), `cloudlaunch-bench-${provider}-`));
  const keyFile = join(home, "id.pub");
  writeFileSync(keyFile, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bench\n");
  const spec = join(home, "bench.yaml");
  writeFileSync(spec, stringify({
    name: "bench", provider, region: fake.spec.region,
    scheduler: { min_vcpus: 2, min_memory_gib: 8 }, workers: { count: WORKERS, min_vcpus: 2, min_memory_gib: 8 },
    network: { subnet: fake.spec.subnet, allowed_cidrs: ["203.0.113.10/32"] }, ssh: { public_key_file: keyFile },
    ...fake.spec.extra,
  }));
  // The fakes' env tunes polling for millisecond test transitions; the benchmark runs the drivers' own defaults.
  const env: Record<string, string> = { ...fake.env, HOME: home, CLOUDLAUNCH_HOME: join(home, ".cloudlaunch"), NO_COLOR: "1", CI: "true" };
  for (const key of Object.keys(env)) if (/^CLOUDLAUNCH_\w+_POLL/.test(key)) delete env[key];
  try {
    const before = fake.calls.length;
    const up = await run(["bin/cloudlaunch", "up", spec], env);
    if (up.code !== 0) throw new Error(`${provider} up failed (${up.code}): ${up.stderr.slice(-2000)}`);
    const upCalls = fake.calls.slice(before);
    const firstLaunch = upCalls.find((c) => c.mutating && /run|insert|virtualMachines|createOrUpdate|put/i.test(c.action))?.at ?? upCalls[0].at;
    const launchMs = upCalls.at(-1)!.at - firstLaunch;

    const statusBefore = fake.calls.length;
    const status = await run(["-r", join(ROOT, "test/support/report-rss.js"), "bin/cloudlaunch", "status", "bench", "--json"], env);
    if (status.code !== 0) throw new Error(`${provider} status failed: ${status.stderr.slice(-2000)}`);
    const statusCalls = fake.calls.length - statusBefore;
    const rssKb = Number(/PEAK-RSS-KB: (\d+)/.exec(status.stderr)?.[1] ?? 0);

    // CLI overhead: status with no latency against a bare node, both measured now.
    fake.setLatency(0);
    const quick = await run(["bin/cloudlaunch", "status", "bench", "--json"], env);
    const bare = await run(["-e", "0"], env);
    return {
      provider,
      "up wall s": +(up.ms / 1000).toFixed(1),
      "launch phase s": +(launchMs / 1000).toFixed(1),
      "up calls": upCalls.length,
      "throttled": upCalls.filter((c) => c.throttled).length,
      "launch s per 100 calls": +((launchMs / 1000 / upCalls.length) * 100).toFixed(2),
      "status s": +(status.ms / 1000).toFixed(2),
      "status calls": statusCalls,
      "status peak MB": Math.round(rssKb / 1024),
      "status (0 ms) / node -e 0": +(quick.ms / bare.ms).toFixed(2),
    };
  } finally {
    await fake.close();
  }
}

async function main() {
  const providers = (process.env.BENCH_PROVIDERS ?? "aws,gcp,azure").split(",") as ProviderName[];
  console.log(`\nCloud (fakes, ${LATENCY} ms per call, 1 + ${WORKERS} workers, default rate limits):`);
  const rows = [];
  for (const p of providers) {
    try {
      rows.push(await benchProvider(p));
    } catch (err) {
      rows.push({ provider: p, error: String((err as Error).message).slice(0, 300) });
    }
  }
  console.table(rows);
  console.log(`At ${LATENCY} ms a call, one call per VM in sequence would take ${((WORKERS * LATENCY) / 1000).toFixed(0)} s for the launches alone.`);
}

void main();
