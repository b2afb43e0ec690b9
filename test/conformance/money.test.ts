// Money, against each cloud's fake through the real SDK: the budget in an online dry run, the quota pre-check, cost
// so far in status.
import { readFileSync } from "node:fs";
import type { ProviderName } from "../../src/spec/schema";
import { startWorld, type World } from "./world";

const PROVIDERS = (process.env.CONFORMANCE_PROVIDERS ?? "aws,gcp,azure").split(",").filter(Boolean) as ProviderName[];

/** line:column of `max_hourly_usd`'s value in the written spec. */
function budgetPosition(file: string): string {
  const lines = readFileSync(file, "utf8").split("\n");
  const line = lines.findIndex((l) => l.includes("max_hourly_usd:"));
  return `${line + 1}:${lines[line].indexOf(":") + 3}`;
}

describe.each(PROVIDERS)("%s", (provider) => {
  let w: World;
  /** vCPUs of the running cluster "meter", which the quota check must count as in use. */
  let meterVcpus = 0;
  beforeAll(async () => {
    w = await startWorld(provider);
  });
  afterAll(() => w?.close());

  it("a plan above the budget fails an online dry run at the field with exit 2 and no mutating call", async () => {
    const file = w.spec("pricey", 30, { budget: { max_hourly_usd: 0.5 } });
    const since = w.fake.calls.length;
    const r = await w.run(["up", file, "--dryrun"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:${budgetPosition(file)}: budget.max_hourly_usd: the plan costs`);
    expect(w.mutatingSince(since)).toEqual([]);
    // And `up` itself stops the same way before creating anything.
    expect((await w.run(["up", file])).code).toBe(2);
    expect(w.live("pricey")).toEqual([]);
  });

  it("status shows $/hour now and an estimate since launch, in the table and in --json", async () => {
    const planned = JSON.parse((await w.run(["up", w.spec("meter", 2), "--dryrun", "--json"])).stdout);
    meterVcpus = planned.nodes.reduce((n: number, x: { vcpus: number }) => n + x.vcpus, 0);
    const up = await w.run(["up", w.spec("meter", 2), "--json"]);
    expect(up.code).toBe(0);
    const plan = JSON.parse(up.stdout);
    const computeAndIps = plan.hourly_cost.instances + plan.hourly_cost.public_ips;
    const one = JSON.parse((await w.run(["status", "meter", "--json"])).stdout);
    expect(one.cost).toMatchObject({ estimate: true });
    expect(one.cost.hourly).toBeCloseTo(computeAndIps, 3);
    const earliest = Math.min(...one.nodes.map((n: { launch_time: string }) => Date.parse(n.launch_time)));
    expect(one.cost.billed_since).toBe(new Date(earliest).toISOString());
    const hours = (Date.now() - earliest) / 3_600_000;
    expect(one.cost.estimated_since_launch).toBeLessThanOrEqual(computeAndIps * hours + 1e-4);
    expect(one.cost.estimated_since_launch).toBeGreaterThanOrEqual(0);
    const text = await w.run(["status", "meter"]);
    expect(text.stdout).toMatch(
      /Cost: \$[\d.]+\/hour now \(compute \+ IPs\); ~\$[\d.]+ since .*\(estimate: list prices/,
    );
    const all = await w.run(["status", "--json"]);
    const row = JSON.parse(all.stdout).clusters.find((c: { cluster: string }) => c.cluster === "meter");
    expect(row).toMatchObject({ hourly: one.cost.hourly, billed_since: one.cost.billed_since });
    expect(row.estimated_cost_since_launch).toBeGreaterThanOrEqual(0);
    expect((await w.run(["status"])).stdout).toMatch(/since launch \(estimate\)[\s\S]*meter.*~\$[\d.]+ since \d{4}-/);
  });

  it("a quota shortfall stops up and an online dry run before any mutating call, one line per bucket", async () => {
    const file = w.spec("quota", 3);
    const plan = JSON.parse((await w.run(["up", file, "--dryrun", "--json"])).stdout);
    const vcpus = plan.nodes.reduce((n: number, x: { vcpus: number }) => n + x.vcpus, 0);
    expect(meterVcpus).toBeGreaterThan(0);
    w.fake.setQuota("vcpus", meterVcpus + vcpus - 2);
    if (provider !== "aws") w.fake.setQuota("addresses", 3);
    try {
      const since = w.fake.calls.length;
      const dry = await w.run(["up", file, "--dryrun"]);
      expect(dry.code).toBe(1);
      expect(dry.stderr).toContain("Quota too low for this plan");
      expect(dry.stderr).toMatch(
        new RegExp(
          `needs ${vcpus} vCPUs, limit ${meterVcpus + vcpus - 2}, in use ${meterVcpus} \\(${vcpus - 2} free\\) — request`,
        ),
      );
      if (provider !== "aws")
        expect(dry.stderr).toMatch(/(IN_USE_ADDRESSES|PublicIPAddresses).*: needs 4 addresses, limit 3, in use \d+/);
      const r = await w.run(["up", file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("nothing was created");
      expect(r.stderr.split("\n").filter((l) => /^ {2}\S.*: needs \d+/.test(l))).toHaveLength(
        provider === "aws" ? 1 : 2,
      );
      expect(w.mutatingSince(since)).toEqual([]);
      expect(w.live("quota")).toEqual([]);
    } finally {
      w.fake.setQuota("vcpus", 100_000);
      w.fake.setQuota("addresses", 100_000);
    }
    // Within the quota, the same spec launches.
    w.fake.setQuota("vcpus", meterVcpus + vcpus);
    try {
      expect((await w.run(["up", file, "--dryrun"])).code).toBe(0);
    } finally {
      w.fake.setQuota("vcpus", 100_000);
    }
  });
});
