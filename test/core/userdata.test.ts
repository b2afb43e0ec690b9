import { typesIn } from "../../src/catalog/catalog";
import { userDataRenderer } from "../../src/apply/userdata";
import { workerLayout } from "../../src/bootstrap/index";
import { planCluster } from "../../src/plan/plan";
import { parseSpec } from "../../src/spec/load";

const spec = parseSpec(
  "name: ud\nprovider: aws\nregion: us-east-1\nscheduler: {min_vcpus: 2}\nworkers: {count: 3, min_vcpus: 4, min_memory_gib: 16}\nnetwork: {allowed_cidrs: [203.0.113.1/32]}\n",
  "s.yaml",
).spec;
const plan = planCluster(spec, typesIn("aws", "us-east-1"), []);
const [w1, w2] = plan.nodes.filter((n) => n.role === "worker");

describe("user data per node", () => {
  it("is the same for every worker of a type (EC2 launches them in one call) and names no node", async () => {
    const render = await userDataRenderer(plan, true);
    const type = plan.workers.chosen;
    expect(render(w1, type, "10.0.0.5")).toBe(render(w2, type, "10.0.0.5"));
    expect(render(w1, type, "10.0.0.5")).not.toContain(w1.name);
    expect(render(plan.nodes[0], plan.scheduler.chosen, undefined)).toContain(plan.nodes[0].name);
  });

  it("sizes Dask for the type actually launched, so a fallback type gets its own memory limit", async () => {
    const render = await userDataRenderer(plan, true);
    const small = plan.workers.candidates[0];
    const big = { ...small, type: "bigger.type", vcpus: small.vcpus * 4, memoryGib: small.memoryGib * 4 };
    const limit = (text: string) => /DASK_MEMORY_LIMIT='?(\d+)/.exec(text)?.[1];
    expect(limit(render(w1, small, "10.0.0.5"))).toBe(String(workerLayout(small.vcpus, small.memoryGib).memoryLimit));
    expect(limit(render(w1, big, "10.0.0.5"))).toBe(String(workerLayout(big.vcpus, big.memoryGib).memoryLimit));
  });
});
