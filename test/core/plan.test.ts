import { typesIn } from "../../src/catalog/catalog";
import { PlanError } from "../../src/errors";
import { planCluster } from "../../src/plan/plan";
import type { NodeInfo } from "../../src/providers/provider";
import { parseSpec } from "../../src/spec/load";

const spec = (workers = "count: 3\n  min_vcpus: 4\n  min_memory_gib: 16") =>
  parseSpec(
    `name: demo\nprovider: aws\nregion: us-east-1\nscheduler:\n  instance_type: m7i.large\nworkers:\n  ${workers}\nnetwork:\n  allowed_cidrs: [203.0.113.10/32]\n`,
    "s.yaml",
  ).spec;
const types = typesIn("aws", "us-east-1");
const node = (name: string, state: NodeInfo["state"], instanceType = "m5a.xlarge"): NodeInfo => ({
  name,
  cluster: "demo",
  role: name.endsWith("scheduler") ? "scheduler" : "worker",
  id: `i-${name}`,
  state,
  instanceType,
  spot: false,
});

describe("planCluster", () => {
  it("plans a new cluster: scheduler first, numbered workers, cheapest type with runner-up", () => {
    const plan = planCluster(spec(), types, []);
    expect(plan.nodes.map((n) => [n.name, n.action, n.instanceType])).toEqual([
      ["demo-scheduler", "create", "m7i.large"],
      ["demo-worker-001", "create", "m5a.xlarge"],
      ["demo-worker-002", "create", "m5a.xlarge"],
      ["demo-worker-003", "create", "m5a.xlarge"],
    ]);
    expect(plan.workers.runnerUp?.type).toBe("m6a.xlarge");
    expect(plan.scheduler.explicit).toBe(true);
  });

  it("costs instances, public IPs and disks", () => {
    const plan = planCluster(spec(), types, []);
    expect(plan.hourlyCost.instances).toBeCloseTo(0.1008 + 3 * 0.172, 6);
    expect(plan.hourlyCost.publicIps).toBeCloseTo(4 * 0.005, 6);
    expect(plan.hourlyCost.disks).toBeCloseTo((4 * 50 * 0.08) / 730, 6);
    const { instances, publicIps, disks, total } = plan.hourlyCost;
    expect(total).toBeCloseTo(instances + publicIps + disks, 6);
  });

  it("converges: keeps running nodes, starts stopped ones, adds workers after the highest name", () => {
    const existing = [
      node("demo-scheduler", "running", "m7i.large"),
      node("demo-worker-001", "stopped"),
      node("demo-worker-004", "terminated"),
    ];
    const plan = planCluster(spec(), types, existing);
    expect(plan.nodes.map((n) => [n.name, n.action])).toEqual([
      ["demo-scheduler", "keep"],
      ["demo-worker-001", "start"],
      ["demo-worker-005", "create"],
      ["demo-worker-006", "create"],
    ]);
  });

  it("lists surplus workers and terminates them only when asked", () => {
    const existing = [
      node("demo-scheduler", "running", "m7i.large"),
      ...[1, 2, 3, 4, 5].map((i) => node(`demo-worker-00${i}`, "running")),
    ];
    const kept = planCluster(spec(), types, existing);
    expect(kept.nodes.filter((n) => n.action === "surplus").map((n) => n.name)).toEqual([
      "demo-worker-004",
      "demo-worker-005",
    ]);
    expect(kept.warnings.join()).toContain(
      "2 worker(s) beyond workers.count are kept (demo-worker-004, demo-worker-005); up --terminate-surplus",
    );
    const pruned = planCluster(spec(), types, existing, { terminateSurplus: true });
    expect(pruned.nodes.filter((n) => n.action === "terminate").map((n) => n.name)).toEqual([
      "demo-worker-004",
      "demo-worker-005",
    ]);
    expect(pruned.hourlyCost.instances).toBeLessThan(kept.hourlyCost.instances);
  });

  it("uses spot prices for spot roles and refuses floors nothing meets, naming the closest", () => {
    const spot = planCluster(spec("count: 1\n  min_vcpus: 4\n  spot: true"), types, []);
    expect(spot.nodes[1].priceHourly).toBe(spot.workers.chosen.spotPriceHourly);
    // Validation refuses such floors at the field (test/core/spec.test.ts); the planner still refuses them itself.
    const huge = (s: ReturnType<typeof spec>) => ({ ...s, workers: { ...s.workers, min_vcpus: 100000 } });
    expect(() => planCluster(huge(spec("count: 1\n  min_vcpus: 4")), types, [])).toThrow(PlanError);
    expect(() => planCluster(huge(spec("count: 1\n  min_vcpus: 4")), types, [])).toThrow(/≥ 100000 vCPUs.*closest: /);
  });

  it("gives fallback candidates in price order", () => {
    const plan = planCluster(spec(), types, []);
    const prices = plan.workers.candidates.map((t) => t.priceHourly);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(plan.workers.candidates[0]).toBe(plan.workers.chosen);
  });
});
