// The selection rule against a brute-force minimum over the bundled catalog, for random floors in random regions.
import fc from "fast-check";
import { regionsOf, typesIn } from "../../src/catalog/catalog";
import { launchNeeds, priceOf, rankCandidates, type Floors } from "../../src/catalog/select";
import type { InstanceType } from "../../src/catalog/types";
import type { ProviderName } from "../../src/spec/schema";

const BURSTABLE: Record<ProviderName, (t: string) => boolean> = {
  aws: (t) => /^(t1|t2|t3|t3a|t4g)\./.test(t),
  gcp: (t) => ["e2-micro", "e2-small", "e2-medium", "f1-micro", "g1-small"].includes(t),
  azure: (t) => t.startsWith("Standard_B"),
};

/** Sizes the driver cannot launch as configured (confidential, Generation 1 only): stated independently here. */
const UNLAUNCHABLE: Record<ProviderName, (t: string) => boolean> = {
  aws: () => false,
  gcp: () => false,
  azure: (t) =>
    /^Standard_[DE]C\d+(as|ads|es|eds|ias|iads)(_cc)?_v[56]$/.test(t) ||
    /^Standard_(A\d+m?_v2|D\d+|DS\d+|D\d+_v2|D\d+_v3|E\d+_v3|F\d+s?|G\d+)$/.test(t),
};

/** The rule exactly as the issue states it, by one linear scan. */
function bruteForce(provider: ProviderName, types: InstanceType[], f: Floors): InstanceType | undefined {
  let best: InstanceType | undefined;
  let bestPrice = Infinity;
  for (const t of types) {
    const price = f.spot ? t.spotPriceHourly : t.priceHourly;
    if (price === null || t.vcpus < (f.minVcpus ?? 0) || t.memoryGib < (f.minMemoryGib ?? 0)) continue;
    if (t.arch !== f.arch || t.accelerator || (!f.allowBurstable && BURSTABLE[provider](t.type))) continue;
    if (UNLAUNCHABLE[provider](t.type)) continue;
    const better =
      !best ||
      price < bestPrice ||
      (price === bestPrice &&
        (t.vcpus < best.vcpus ||
          (t.vcpus === best.vcpus &&
            (t.memoryGib < best.memoryGib || (t.memoryGib === best.memoryGib && t.type < best.type)))));
    if (better) [best, bestPrice] = [t, price];
  }
  return best;
}

describe("cheapest type", () => {
  for (const provider of ["aws", "gcp", "azure"] as const) {
    it(`equals the brute-force minimum on ${provider}`, () => {
      const regions = regionsOf(provider);
      fc.assert(
        fc.property(
          fc.constantFrom(...regions),
          fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }),
          fc.option(fc.double({ min: 0.5, max: 2048, noNaN: true }), { nil: undefined }),
          fc.constantFrom<"x86_64" | "arm64">("x86_64", "arm64"),
          fc.boolean(),
          fc.boolean(),
          (region, minVcpus, minMemoryGib, arch, spot, allowBurstable) => {
            const types = typesIn(provider, region);
            const floors = { minVcpus, minMemoryGib, arch, spot, allowBurstable };
            const expected = bruteForce(provider, types, floors);
            const ranked = rankCandidates(types, floors);
            expect(ranked[0]?.type).toBe(expected?.type);
            // The runner-up is the cheapest of the rest.
            if (ranked.length > 1)
              expect(ranked[1].type).toBe(
                bruteForce(
                  provider,
                  types.filter((t) => t !== ranked[0]),
                  floors,
                )?.type,
              );
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it("reads burstable from the catalog the same way the rule names them", () => {
    for (const provider of ["aws", "gcp", "azure"] as const) {
      for (const t of typesIn(provider, regionsOf(provider)[0])) expect(t.burstable).toBe(BURSTABLE[provider](t.type));
    }
  });

  it("skips Azure sizes the driver cannot launch (confidential, Generation 1 only), which were often the cheapest", () => {
    let skippedCheaper = 0;
    for (const region of regionsOf("azure")) {
      const types = typesIn("azure", region);
      for (const floors of [{ minVcpus: 1 }, { minVcpus: 2, minMemoryGib: 8 }, { minVcpus: 4, minMemoryGib: 32 }]) {
        const f: Floors = { ...floors, arch: "x86_64", spot: false, allowBurstable: false };
        const ranked = rankCandidates(types, f);
        expect(ranked.filter((t) => launchNeeds(t))).toEqual([]);
        const chosen = ranked[0];
        if (
          chosen &&
          types.some(
            (t) =>
              launchNeeds(t) &&
              !t.burstable &&
              t.arch === "x86_64" &&
              t.vcpus >= f.minVcpus! &&
              t.memoryGib >= (f.minMemoryGib ?? 0) &&
              (priceOf(t, false) ?? Infinity) < chosen.priceHourly,
          )
        )
          skippedCheaper++;
      }
    }
    expect(skippedCheaper).toBeGreaterThan(0);
    expect(launchNeeds({ type: "Standard_DC2as_v5" })).toMatch(/confidential/);
    expect(launchNeeds({ type: "Standard_EC8ads_cc_v5" })).toMatch(/confidential/);
    expect(launchNeeds({ type: "Standard_A1_v2" })).toMatch(/Generation 1/);
    for (const ok of [
      "Standard_DC2s_v3",
      "Standard_DC8_v2",
      "Standard_D2s_v5",
      "Standard_DS1_v2",
      "Standard_D2as_v6",
      "Standard_F2s_v2",
    ]) {
      expect(launchNeeds({ type: ok })).toBeUndefined();
    }
  });
});
