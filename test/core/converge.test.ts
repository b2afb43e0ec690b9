// The pure parts of converging: failed nodes in the plan, the launch attempt a name is at, what still diverges from
// the spec, and the one lifecycle table.
import { generationOf } from "../../src/apply/attempt";
import { decide } from "../../src/apply/lifecycle-table";
import { divergence } from "../../src/apply/settle";
import { typesIn } from "../../src/catalog/catalog";
import { planCluster } from "../../src/plan/plan";
import type { NodeInfo, NodeState } from "../../src/providers/provider";
import { parseSpec } from "../../src/spec/load";

const spec = parseSpec(
  "name: demo\nprovider: aws\nregion: us-east-1\nzone: us-east-1b\nscheduler:\n  instance_type: m7i.large\nworkers:\n  count: 2\n  min_vcpus: 4\nnetwork:\n  allowed_cidrs: [203.0.113.10/32]\n",
  "s.yaml",
).spec;
const types = typesIn("aws", "us-east-1");
const node = (name: string, state: NodeState, extra: Partial<NodeInfo> = {}): NodeInfo => ({
  name,
  cluster: "demo",
  role: name.endsWith("scheduler") ? "scheduler" : "worker",
  id: `i-${name}-${state}`,
  state,
  instanceType: "m7i.large",
  spot: false,
  ...extra,
});

test("a failed scheduler is removed and re-created under its name; a failed worker is replaced under a new one", () => {
  const existing = [
    node("demo-scheduler", "running", { failed: true, reason: "OSProvisioningTimedOut: did not finish" }),
    node("demo-worker-001", "running"),
    node("demo-worker-002", "pending", { failed: true, reason: "still pending after 600 s" }),
  ];
  const plan = planCluster(spec, types, existing);
  expect(plan.nodes.map((n) => [n.name, n.action])).toEqual([
    ["demo-scheduler", "remove"],
    ["demo-worker-002", "remove"],
    ["demo-scheduler", "create"],
    ["demo-worker-001", "keep"],
    ["demo-worker-003", "create"],
  ]);
  expect(plan.warnings.join("\n")).toMatch(
    /demo-scheduler is running, failed: OSProvisioningTimedOut: did not finish; up removes it/,
  );
  // Removed nodes cost nothing once the plan is applied.
  expect(plan.hourlyCost.instances).toBeCloseTo(
    plan.nodes.filter((n) => n.action !== "remove").reduce((s, n) => s + n.priceHourly, 0),
    6,
  );
});

test("a terminated scheduler with a reason is said, and launched again", () => {
  const plan = planCluster(spec, types, [
    node("demo-scheduler", "terminated", { reason: "Server.SpotInstanceTermination" }),
  ]);
  expect(plan.nodes[0]).toMatchObject({ name: "demo-scheduler", action: "create" });
  expect(plan.warnings).toContain(
    "demo-scheduler is terminated (Server.SpotInstanceTermination); up launches it again",
  );
});

test("the fallback order is the plan's: each type in the pinned zone, cheapest first", () => {
  const plan = planCluster({ ...spec, workers: { ...spec.workers, count: 1, min_vcpus: 4 } }, types, []);
  expect(plan.workers.placements.map((p) => p.type)).toEqual(plan.workers.candidates.map((c) => c.type));
  expect(plan.workers.placements.every((p) => p.zone === "us-east-1b")).toBe(true);
  const free = planCluster({ ...spec, zone: undefined }, types, []);
  expect(free.workers.placements.every((p) => p.zone === "*")).toBe(true);
});

test("the launch attempt of a name counts its gone and failed predecessors the cloud still shows", () => {
  expect(generationOf("demo-scheduler", [])).toBe(0);
  const seen = [
    node("demo-scheduler", "terminated"),
    node("demo-scheduler", "terminating"),
    node("demo-scheduler", "running"),
    node("demo-worker-001", "terminated"),
  ];
  expect(generationOf("demo-scheduler", seen)).toBe(2);
  // A crash mid-attempt leaves the attempt's own VM pending or running: the re-run derives the same number.
  expect(generationOf("demo-scheduler", [...seen, node("demo-scheduler", "pending")])).toBe(2);
  expect(generationOf("demo-scheduler", [node("demo-scheduler", "running", { failed: true })])).toBe(1);
});

test("divergence names every node that keeps the cluster from the spec", () => {
  const plan = planCluster(spec, types, []);
  const listed = [
    node("demo-scheduler", "terminated"),
    node("demo-scheduler", "running"),
    node("demo-worker-001", "pending"),
    node("demo-worker-002", "running", { failed: true, reason: "AllocationFailed" }),
  ];
  expect(divergence(plan, listed)).toEqual([
    "demo-worker-001 is pending",
    "demo-worker-002 is running, failed (AllocationFailed)",
  ]);
  expect(divergence(plan, [node("demo-scheduler", "running"), node("demo-worker-001", "running")])).toEqual([
    "demo-worker-002 is missing",
  ]);
});

test("one lifecycle table: the same answer for the same state, whatever the cloud", () => {
  expect(decide("stop", node("x", "pending"))).toEqual({
    act: false,
    ok: false,
    message: "still starting; stop it once it is running",
  });
  expect(decide("stop", node("x", "stopped"))).toEqual({ act: false, ok: true, message: "already stopped" });
  expect(decide("stop", node("x", "stopped", { stillBilled: true }))).toEqual({ act: true });
  expect(decide("start", node("x", "running", { failed: true }))).toMatchObject({ act: false, ok: false });
  expect(decide("terminate", node("x", "terminated"))).toEqual({ act: false, ok: true, message: "already terminated" });
  for (const state of ["running", "pending", "stopping", "stopped", "unknown"] as const)
    expect(decide("terminate", node("x", state))).toEqual({ act: true });
});
