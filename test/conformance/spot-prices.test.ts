// Live spot prices from the fakes, through the real SDK / HTTPS: they, not the snapshot, choose the spot type and
// (on EC2) the zone; without them the plan names the snapshot's date.
import { findType } from "../../src/catalog/catalog";
import type { FakeEc2 } from "../fakes/aws/index";
import type { FakeAzure } from "../fakes/azure/index";
import { startWorld, type World } from "./world";

const spotWorkers = { count: 2, min_vcpus: 2, min_memory_gib: 8, spot: true };
// No subnet: an EC2 subnet fixes the zone, and the zone is what the prices should pick.
const network = { allowed_cidrs: ["203.0.113.10/32"] };

describe("aws: EC2 DescribeSpotPriceHistory", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld("aws");
  });
  afterAll(() => w?.close());
  const plan = async () => {
    const r = await w.run(["up", w.spec("spotty", 2, { workers: spotWorkers, network }), "--dryrun", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  it("plans spot workers in the cheapest zone at the live price, and says where the prices came from", async () => {
    const p = await plan();
    const type = p.roles.worker.instance_type as string;
    const snapshot = findType("aws", w.fake.spec.region, type)!.spotPriceHourly!;
    // The fake prices zone b 4 % under the region's snapshot value, the others above or equal.
    expect(p.zone).toBe(w.fake.spec.zones[1]);
    expect(p.roles.worker.price_hourly).toBeCloseTo(snapshot * 0.96, 5);
    expect(p.prices).toMatchObject({
      live_spot: true,
      spot: expect.stringContaining("live from EC2 DescribeSpotPriceHistory"),
    });
    expect(w.fake.calls.some((c) => c.action === "DescribeSpotPriceHistory")).toBe(true);
  });

  it("a price change moves the plan to another type, and a cheap zone moves it to that zone", async () => {
    const fake = w.fake as FakeEc2;
    const before = (await plan()).roles.worker.instance_type as string;
    for (const z of w.fake.spec.zones) fake.world.spotPriceOverrides.set(`${before}/${z}`, 50);
    const after = await plan();
    expect(after.roles.worker.instance_type).not.toBe(before);
    const next = after.roles.worker.instance_type as string;
    const lastZone = w.fake.spec.zones.find((z) => fake.world.offered(next, z) && z !== w.fake.spec.zones[1])!;
    fake.world.spotPriceOverrides.set(`${next}/${lastZone}`, 0.0001);
    const moved = await plan();
    expect(moved.roles.worker.instance_type).toBe(next);
    expect(moved.zone).toBe(lastZone);
    expect(moved.roles.worker.price_hourly).toBeCloseTo(0.0001, 6);
    fake.world.spotPriceOverrides.clear();
  });

  it("offline, the plan names the snapshot's date instead", async () => {
    const r = await w.run(["up", w.spec("spotty", 2, { workers: spotWorkers, network }), "--offline"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Prices: on-demand from the bundled snapshot of .*; spot bundled snapshot of 2026-08-11/);
  });
});

describe("azure: the Retail Prices API", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld("azure");
  });
  afterAll(() => w?.close());
  const plan = async () => {
    const r = await w.run(["up", w.spec("spotty", 2, { workers: spotWorkers }), "--dryrun", "--json"]);
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  };

  it("prices spot workers from the Linux spot meters and follows a price change to another size", async () => {
    const first = await plan();
    expect(first.prices).toMatchObject({
      live_spot: true,
      spot: expect.stringContaining("live from Azure Retail Prices API"),
    });
    const size = first.roles.worker.instance_type as string;
    // The Windows meter is half the Linux one in the fake: a plan at the Linux price read the right meter.
    expect(first.roles.worker.price_hourly).toBeCloseTo(
      findType("azure", w.fake.spec.region, size)!.spotPriceHourly!,
      6,
    );
    const fake = w.fake as FakeAzure;
    fake.setSpotPrice(size, 0.0002);
    expect((await plan()).roles.worker.price_hourly).toBeCloseTo(0.0002, 6);
    expect(w.fake.calls.some((c) => c.action === "retailPrices.list")).toBe(true);
    fake.setSpotPrice(size, 25);
    const second = await plan();
    expect(second.roles.worker.instance_type).not.toBe(size);
    fake.setSpotPrice(size, undefined);
  });
});

describe("gcp: the snapshot", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld("gcp");
  });
  afterAll(() => w?.close());

  it("names the snapshot's date: GCP changes spot prices at most monthly and has no price API used here", async () => {
    const r = await w.run(["up", w.spec("spotty", 2, { workers: spotWorkers }), "--dryrun", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).prices).toEqual({
      on_demand: "bundled snapshot of 2026-07-30",
      spot: "bundled snapshot of 2026-07-30",
      live_spot: false,
    });
  });
});
