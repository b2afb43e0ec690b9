// budget.max_hourly_usd, end to end offline: a plan above it is a spec error at the field's line, exit 2.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanHome, cli } from "../support/cli";

const spec = (max: number) =>
  "name: pricey\nprovider: aws\nregion: us-east-1\nscheduler: {instance_type: m7i.large}\n" +
  "workers: {count: 40, min_vcpus: 4}\nnetwork: {allowed_cidrs: [203.0.113.1/32]}\n" +
  `budget:\n  max_hourly_usd: ${max}\n`;

describe("budget", () => {
  it("a plan above max_hourly_usd exits 2 with file:line:column of the field, in --dryrun and --json", async () => {
    const home = cleanHome();
    const file = join(home, "pricey.yaml");
    writeFileSync(file, spec(1.5));
    const r = await cli(["up", file, "--dryrun"], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:8:19: budget.max_hourly_usd: the plan costs $`);
    expect(r.stderr).toMatch(/above the budget of \$1\.5\/hour/);
    expect(r.stdout).toBe("");
    const json = await cli(["up", file, "--dryrun", "--json"], { home });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.kind).toBe("SpecError");
  });

  it("a plan within the budget goes ahead, and the limit sits just at the plan's cost", async () => {
    const home = cleanHome();
    const file = join(home, "pricey.yaml");
    writeFileSync(file, spec(1000));
    const ok = await cli(["up", file, "--dryrun", "--json"], { home });
    expect(ok.code).toBe(0);
    const total = JSON.parse(ok.stdout).hourly_cost.total as number;
    writeFileSync(file, spec(total));
    expect((await cli(["up", file, "--dryrun"], { home })).code).toBe(0);
    writeFileSync(file, spec(Math.floor(total * 1e4 - 1) / 1e4));
    expect((await cli(["up", file, "--dryrun"], { home })).code).toBe(2);
    expect(readFileSync(file, "utf8")).toContain("max_hourly_usd");
  });

  it("a budget that is not a positive number is a schema error", async () => {
    const home = cleanHome();
    const file = join(home, "pricey.yaml");
    writeFileSync(file, spec(0));
    const r = await cli(["up", file, "--dryrun"], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:8:19: budget.max_hourly_usd`);
  });
});
