// compare against a brute force over the bundled catalog: for random floors, counts, spot and region sets, every
// row's types are the linear-scan minimum, its $/hour is the sum by hand, and the rows are in $/hour order.
import fc from "fast-check";
import { regionsOf, typesIn } from "../../src/catalog/catalog";
import { launchNeeds } from "../../src/catalog/select";
import type { InstanceType } from "../../src/catalog/types";
import { compareClusters } from "../../src/plan/compare";
import { bootDiskHourly, publicIpHourly } from "../../src/plan/pricing";
import { parseSpec } from "../../src/spec/load";
import type { ProviderName } from "../../src/spec/schema";

interface Want {
  minVcpus?: number;
  minMemoryGib?: number;
  spot: boolean;
}

function cheapest(types: InstanceType[], w: Want): InstanceType | undefined {
  let best: InstanceType | undefined;
  for (const t of types) {
    const price = w.spot ? t.spotPriceHourly : t.priceHourly;
    if (price === null || t.arch !== "x86_64" || t.accelerator || t.burstable) continue;
    // Sizes the driver cannot launch as configured (Azure confidential, Generation 1 only) are never chosen.
    if (launchNeeds(t)) continue;
    if (t.vcpus < (w.minVcpus ?? 0) || t.memoryGib < (w.minMemoryGib ?? 0)) continue;
    const bestPrice = best && (w.spot ? best.spotPriceHourly! : best.priceHourly);
    if (
      !best ||
      price < bestPrice! ||
      (price === bestPrice &&
        (t.vcpus - best.vcpus || t.memoryGib - best.memoryGib || (t.type < best.type ? -1 : 1)) < 0)
    )
      best = t;
  }
  return best;
}

const yamlRole = (w: Want) =>
  `{${[w.minVcpus !== undefined && `min_vcpus: ${w.minVcpus}`, w.minMemoryGib !== undefined && `min_memory_gib: ${w.minMemoryGib}`, `spot: ${w.spot}`].filter(Boolean).join(", ")}}`;

const ALL = (["aws", "gcp", "azure"] as const).flatMap((provider) =>
  regionsOf(provider).map((region) => ({ provider, region })),
);
const want = fc
  .record({
    minVcpus: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
    minMemoryGib: fc.option(fc.integer({ min: 1, max: 512 }), { nil: undefined }),
    spot: fc.boolean(),
  })
  .filter((w) => w.minVcpus !== undefined || w.minMemoryGib !== undefined);

describe("compare", () => {
  it("ranks every region by the brute-force cluster cost, with the brute-force types", () => {
    fc.assert(
      fc.property(
        want,
        want,
        fc.integer({ min: 0, max: 50 }),
        fc.subarray(ALL, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 10, max: 2000 }),
        (s, w, count, where, disk) => {
          const { spec } = parseSpec(
            `name: c\nprovider: aws\nregion: us-east-1\nscheduler: ${yamlRole(s)}\nworkers: ${yamlRole(w).replace("{", `{count: ${count}, `)}\n` +
              `network: {allowed_cidrs: [203.0.113.1/32]}\ndisk_gib: ${disk}\n`,
            "c.yaml",
          );
          const targets = where.map((t) => ({ ...t, types: typesIn(t.provider, t.region) }));
          const result = compareClusters(spec, typesIn("aws", "us-east-1"), targets);

          const expected = targets.flatMap(({ provider, region, types }) => {
            const sched = cheapest(types, s);
            const work = cheapest(types, w);
            if (!sched || !work) return [];
            const price = (t: InstanceType, spot: boolean) => (spot ? t.spotPriceHourly! : t.priceHourly);
            const total =
              price(sched, s.spot) +
              count * price(work, w.spot) +
              publicIpHourly(provider as ProviderName, s.spot) +
              count * publicIpHourly(provider as ProviderName, w.spot) +
              (count + 1) * bootDiskHourly(provider as ProviderName, disk);
            return [{ provider, region, scheduler: sched.type, worker: work.type, total }];
          });
          expect(result.ranked).toHaveLength(expected.length);
          expect(result.unavailable).toHaveLength(targets.length - expected.length);
          for (const row of result.ranked) {
            const e = expected.find((x) => x.provider === row.provider && x.region === row.region)!;
            expect(e).toBeDefined();
            expect([row.scheduler.type, row.workers.type]).toEqual([e.scheduler, e.worker]);
            expect(row.hourlyCost.total).toBeCloseTo(e.total, 4);
          }
          const totals = result.ranked.map((r) => r.hourlyCost.total);
          expect(totals).toEqual([...totals].sort((a, b) => a - b));
          // The cheapest row is the brute-force cheapest cluster.
          if (expected.length) expect(totals[0]).toBeCloseTo(Math.min(...expected.map((e) => e.total)), 4);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("keeps an explicit type where its cloud offers it and compares it by size elsewhere", () => {
    const { spec } = parseSpec(
      "name: c\nprovider: aws\nregion: us-east-1\nscheduler: {instance_type: m7i.large}\nworkers: {count: 2, instance_type: c7i.xlarge}\n" +
        "network: {allowed_cidrs: [203.0.113.1/32]}\n",
      "c.yaml",
    );
    const own = typesIn("aws", "us-east-1");
    const targets = [
      { provider: "aws" as const, region: "us-east-1", types: own },
      { provider: "gcp" as const, region: "us-central1", types: typesIn("gcp", "us-central1") },
    ];
    const { ranked } = compareClusters(spec, own, targets);
    const aws = ranked.find((r) => r.provider === "aws")!;
    expect([aws.scheduler.type, aws.workers.type]).toEqual(["m7i.large", "c7i.xlarge"]);
    const gcp = ranked.find((r) => r.provider === "gcp")!;
    const c7i = own.find((t) => t.type === "c7i.xlarge")!;
    expect(gcp.workers.type).toBe(
      cheapest(typesIn("gcp", "us-central1"), { minVcpus: c7i.vcpus, minMemoryGib: c7i.memoryGib, spot: false })!.type,
    );
  });
});
