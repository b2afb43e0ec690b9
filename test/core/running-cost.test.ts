import { typesIn } from "../../src/catalog/catalog";
import { publicIpHourly } from "../../src/plan/pricing";
import { runningCost } from "../../src/plan/running-cost";
import type { NodeInfo } from "../../src/providers/provider";

const node = (name: string, extra: Partial<NodeInfo>): NodeInfo => ({
  name,
  cluster: "c",
  role: "worker",
  id: name,
  state: "running",
  instanceType: "m7i.large",
  spot: false,
  ...extra,
});

describe("cost so far", () => {
  const types = typesIn("aws", "us-east-1");
  const m7i = types.find((t) => t.type === "m7i.large")!;
  const now = new Date("2026-01-02T12:00:00Z");

  it("is each billed node's list price × hours since its launch time, plus the public IPv4", () => {
    const nodes = [
      node("a", { launchTime: "2026-01-02T10:00:00Z" }),
      node("b", { launchTime: "2026-01-02T11:30:00Z", spot: true }),
      node("stopped", { state: "stopped", launchTime: "2026-01-01T00:00:00Z" }),
      node("gone", { state: "terminated", launchTime: "2026-01-01T00:00:00Z" }),
    ];
    const ip = publicIpHourly("aws", false);
    const cost = runningCost("aws", nodes, types, now);
    expect(cost.hourly).toBeCloseTo(m7i.priceHourly + m7i.spotPriceHourly! + 2 * ip, 4);
    expect(cost.sinceLaunch).toBeCloseTo(2 * (m7i.priceHourly + ip) + 0.5 * (m7i.spotPriceHourly! + ip), 4);
    expect(cost.since).toBe("2026-01-02T10:00:00.000Z");
    expect(cost.unpriced).toEqual([]);
  });

  it("counts a stopped-but-still-billed Azure VM, an unknown type as $0 (named), and nothing billed as zero", () => {
    const azure = typesIn("azure", "eastus");
    const size = azure[0];
    const billed = runningCost(
      "azure",
      [node("x", { state: "stopped", stillBilled: true, instanceType: size.type, launchTime: "2026-01-02T11:00:00Z" })],
      azure,
      now,
    );
    expect(billed.sinceLaunch).toBeCloseTo(size.priceHourly + publicIpHourly("azure", false), 4);
    const unknown = runningCost(
      "aws",
      [node("odd", { instanceType: "x9.huge", launchTime: "2026-01-02T11:00:00Z" })],
      types,
      now,
    );
    expect(unknown.unpriced).toEqual(["odd"]);
    expect(unknown.hourly).toBeCloseTo(publicIpHourly("aws", false), 6);
    expect(runningCost("aws", [node("s", { state: "stopped" })], types, now)).toEqual({
      hourly: 0,
      sinceLaunch: 0,
      since: null,
      unpriced: [],
    });
  });
});
