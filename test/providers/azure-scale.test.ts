// The Azure driver's launch at scale against the fake Resource Manager with its throttling on: PUTs without one
// operation poll per VM, the VMs watched with a few list rounds, a failed VM replaced by the next size without a
// twin, and a repeated launch that updates instead of duplicating.
import { typesIn } from "../../src/catalog/catalog.js";
import { planCluster } from "../../src/plan/plan.js";
import type { Plan } from "../../src/plan/types.js";
import { createProvider } from "../../src/providers/azure/index.js";
import { settingsFrom } from "../../src/settings.js";
import { resolved } from "../support/spec.js";
import type { LaunchRequest, Progress, Provider } from "../../src/providers/provider.js";
import { startFakeArm, type FakeAzure } from "../fakes/azure/index.js";
import { publicKeyFile } from "../support/fake-cloud.js";

const keyFile = publicKeyFile();

describe("Azure launch at scale (fake with ARM throttling on)", () => {
  let fake: FakeAzure;
  let provider: Provider;
  const notes: string[] = [];
  const counts: number[] = [];
  const progress: Progress = { update: (done) => void counts.push(done), note: (m) => void notes.push(m) };

  const planFor = (name: string, workers: number, zone?: string): Plan => {
    const spec = resolved({
      name,
      provider: "azure",
      region: fake.spec.region,
      image: "ubuntu-24.04",
      arch: "x86_64",
      ...(zone ? { zone } : {}),
      scheduler: { min_vcpus: 2, min_memory_gib: 4 },
      workers: { count: workers, min_vcpus: 2, min_memory_gib: 8 },
      network: { subnet: fake.spec.subnet, allowed_cidrs: ["203.0.113.10/32"] },
      ssh: { public_key_file: keyFile },
      azure: { resource_group: "dask-rg", subscription_id: fake.subscription },
    });
    return planCluster(spec, typesIn("azure", spec.region), []);
  };
  const workerRequests = (plan: Plan): LaunchRequest[] =>
    plan.nodes
      .filter((n) => n.role === "worker")
      .map((n) => ({
        name: n.name,
        role: "worker",
        spot: n.spot,
        userData: (t) => `#cloud-config\n# ${n.name} ${t.type}\n`,
        candidates: plan.workers.candidates,
      }));
  const callsSince = (from: number, action: string) => fake.calls.slice(from).filter((c) => c.action === action).length;
  const teardown = async (cluster: string) => {
    await provider.terminate(await provider.listNodes(cluster), progress);
    await provider.deleteClusterResources(cluster);
    expect(await provider.leftovers(cluster)).toEqual([]);
  };

  beforeAll(async () => {
    fake = await startFakeArm({ transitionMs: 50, pageSize: 20 });
    const env = { ...fake.env, CLOUDLAUNCH_AZURE_POLL_INTERVAL_MS: "100" };
    provider = await createProvider(
      {
        provider: "azure",
        region: fake.spec.region,
        azure: { resource_group: "dask-rg", subscription_id: fake.subscription },
      },
      settingsFrom(env),
    );
  });
  afterAll(() => fake.close());

  test("60 workers: one PUT each, no operation polls, a few paged list rounds; a repeated launch duplicates nothing", async () => {
    const plan = planFor("scale", 60);
    await provider.ensureNetwork(plan);
    const from = fake.calls.length;
    counts.length = 0;
    const nodes = await provider.launch(plan, workerRequests(plan), progress);
    expect(nodes).toHaveLength(60);
    expect(nodes.every((n) => n.state === "running" && n.publicIp && n.privateIp)).toBe(true);
    expect(callsSince(from, "virtualMachines.createOrUpdate")).toBe(60);
    // No per-VM waiting: neither operation polls nor per-VM reads.
    expect(callsSince(from, "operations.get") + callsSince(from, "operationResults.get")).toBe(0);
    expect(callsSince(from, "virtualMachines.get") + callsSince(from, "virtualMachines.instanceView")).toBe(0);
    // Each round is the group's list (3 pages of 20) and the subscription's status list: far fewer calls than VMs.
    const lists = callsSince(from, "virtualMachines.list") + callsSince(from, "virtualMachines.listAll");
    expect(lists).toBeGreaterThan(0);
    expect(lists).toBeLessThan(60);
    expect(counts.at(-1)).toBe(60);
    expect(fake.calls.slice(from).filter((c) => c.throttled)).toEqual([]);

    // A crash mid-launch and a second `up`: the same names are PUT again, which updates the VMs in place.
    const again = await provider.launch(plan, workerRequests(plan).slice(0, 5), progress);
    expect(again.map((n) => n.id)).toEqual(nodes.slice(0, 5).map((n) => n.id));
    expect(fake.vms().filter((v) => v.cluster === "scale")).toHaveLength(60);
    await teardown("scale");
  });

  test("a VM that ends Failed (zonal allocation) is read once, deleted, and relaunched with the next size: no twin", async () => {
    const plan = planFor("zonal", 50, "1");
    const [first, second] = plan.workers.candidates.map((t) => t.type);
    await provider.ensureNetwork(plan);
    fake.inject({ kind: "capacity", instanceType: first, zone: "1", times: 1 });
    const from = fake.calls.length;
    notes.length = 0;
    const nodes = await provider.launch(plan, workerRequests(plan), progress);
    fake.clearFaults();
    const fell = nodes.filter((n) => n.fallback);
    expect(fell).toHaveLength(1);
    expect(fell[0].instanceType).toBe(second);
    expect(fell[0].fallback).toMatch(new RegExp(`${first}: ZonalAllocationFailed`));
    // The driver reports it on the node; `up` says it once for every cloud (src/apply/up.ts).
    expect(notes).toEqual([]);
    expect(nodes.filter((n) => !n.fallback).every((n) => n.instanceType === first)).toBe(true);
    expect(callsSince(from, "virtualMachines.instanceView")).toBe(1);
    expect(callsSince(from, "virtualMachines.delete")).toBe(1);
    expect(callsSince(from, "virtualMachines.createOrUpdate")).toBe(51);
    const vms = fake.vms().filter((v) => v.cluster === "zonal");
    expect(vms).toHaveLength(50);
    expect(new Set(vms.map((v) => v.name)).size).toBe(50);
    expect(vms.every((v) => v.state === "running")).toBe(true);
    // The failed VM's NIC and public IP went with it: one of each per VM.
    const kinds = fake
      .resources()
      .filter((r) => r.tags["cloudlaunch-cluster"] === "zonal")
      .map((r) => r.kind);
    expect(kinds.filter((k) => k === "public IP")).toHaveLength(50);
    expect(kinds.filter((k) => k === "network interface")).toHaveLength(50);
    await teardown("zonal");
  });
});
