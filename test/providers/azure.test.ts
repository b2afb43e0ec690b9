// The Azure driver called directly, through the real SDK, against the fake Resource Manager: launch, list, stop
// (deallocate) / start, terminate with teardown and no leftovers, SKU and capacity fallback, throttling, quota, auth.
import { typesIn } from "../../src/catalog/catalog.js";
import { CloudError, errorKind, PlanError } from "../../src/errors.js";
import { planCluster } from "../../src/plan/plan.js";
import type { Plan } from "../../src/plan/types.js";
import { createProvider } from "../../src/providers/azure/index.js";
import { settingsFrom } from "../../src/settings.js";
import { resolved } from "../support/spec.js";
import { CLUSTER_TAG, type LaunchRequest, type Progress, type Provider } from "../../src/providers/provider.js";
import type { ClusterSpec, ResolvedSpec } from "../../src/spec/schema.js";
import { startFakeArm, type FakeAzure } from "../fakes/azure/index.js";
import { publicKeyFile } from "../support/fake-cloud.js";

const keyFile = publicKeyFile();

const notes: string[] = [];
const progress: Progress = { update: () => {}, note: (m) => void notes.push(m) };

describe("Azure driver against the fake Resource Manager", () => {
  let fake: FakeAzure;
  let provider: Provider;

  const specFor = (name: string, workers: number, extra: Partial<ClusterSpec> = {}): ResolvedSpec =>
    resolved({
      name,
      provider: "azure",
      region: fake.spec.region,
      image: "ubuntu-24.04",
      arch: "x86_64",
      scheduler: { min_vcpus: 2, min_memory_gib: 4 },
      workers: { count: workers, min_vcpus: 2, min_memory_gib: 8 },
      network: { allowed_cidrs: ["203.0.113.10/32"] },
      ssh: { public_key_file: keyFile, user: "ubuntu" },
      tags: { project: "driver-test" },
      azure: { resource_group: "dask-rg", subscription_id: fake.subscription },
      ...extra,
    });
  const planFor = (spec: ResolvedSpec) => planCluster(spec, typesIn("azure", spec.region), []);
  const requests = (plan: Plan, role: "scheduler" | "worker"): LaunchRequest[] =>
    plan.nodes
      .filter((n) => n.role === role && n.action === "create")
      .map((n) => ({
        name: n.name,
        role,
        spot: n.spot,
        userData: (t) => `#cloud-config\n# ${n.name} ${t.type}\n`,
        candidates: (role === "scheduler" ? plan.scheduler : plan.workers).candidates,
      }));
  const up = async (plan: Plan) => {
    await provider.preflight(plan);
    await provider.ensureNetwork(plan);
    const scheduler = await provider.launch(plan, requests(plan, "scheduler"), progress);
    const workers = await provider.launch(plan, requests(plan, "worker"), progress);
    return [...scheduler, ...workers];
  };
  const teardown = async (cluster: string) => {
    const results = await provider.terminate(await provider.listNodes(cluster), progress);
    expect(results.every((r) => r.ok)).toBe(true);
    await provider.deleteClusterResources(cluster);
    expect(await provider.leftovers(cluster)).toEqual([]);
  };

  it("a plan error while launching (user data over the limit) leaves as the user's error, never as Azure's", async () => {
    const plan = planFor(specFor("ownerr", 1));
    await provider.ensureNetwork(plan);
    const refused = requests(plan, "scheduler").map((r) => ({
      ...r,
      userData: () => {
        throw new PlanError("The cloud-init user data of ownerr-scheduler is 70000 bytes even compressed");
      },
    }));
    const err = await provider.launch(plan, refused, progress).catch((e: unknown) => e);
    expect(errorKind(err)).toBe("PlanError");
    expect((err as Error).message).not.toMatch(/^Azure error/);
    await teardown("ownerr");
  });

  beforeAll(async () => {
    fake = await startFakeArm({ transitionMs: 20, pageSize: 4 });
    provider = await createProvider(
      {
        provider: "azure",
        region: fake.spec.region,
        azure: { resource_group: "dask-rg", subscription_id: fake.subscription },
      },
      settingsFrom(fake.env),
    );
  });
  afterAll(() => fake.close());

  test("up 1 + 10, list, stop (deallocate) and start, terminate with nothing left", async () => {
    const plan = planFor(specFor("dask-demo", 10));
    const launched = await up(plan);
    expect(launched).toHaveLength(11);
    expect(launched.every((n) => n.state === "running" && n.publicIp && n.privateIp?.startsWith("10.42."))).toBe(true);
    expect(launched.map((n) => n.instanceType)).toEqual([
      plan.scheduler.chosen.type,
      ...Array(10).fill(plan.workers.chosen.type),
    ]);
    const listed = await provider.listNodes("dask-demo");
    expect(listed.map((n) => n.name).sort()).toEqual(plan.nodes.map((n) => n.name).sort());
    expect(listed.find((n) => n.role === "scheduler")?.name).toBe("dask-demo-scheduler");
    const vm = fake.vms().find((v) => v.name === "dask-demo-worker-001")!;
    expect(vm.tags).toMatchObject({ [CLUSTER_TAG]: "dask-demo", "cloudlaunch-role": "worker", project: "driver-test" });

    const two = listed.filter((n) => n.name.endsWith("worker-001") || n.name.endsWith("worker-002"));
    const stopped = await provider.stop(two, progress);
    expect(stopped.map((r) => [r.ok, r.node?.state])).toEqual([
      [true, "stopped"],
      [true, "stopped"],
    ]);
    expect(
      fake
        .vms()
        .filter((v) => v.state === "deallocated")
        .map((v) => v.name)
        .sort(),
    ).toEqual(two.map((n) => n.name).sort());
    const again = await provider.stop(
      stopped.map((r) => r.node!),
      progress,
    );
    expect(again.map((r) => r.message)).toEqual(["already stopped", "already stopped"]);
    const started = await provider.start(
      stopped.map((r) => r.node!),
      progress,
    );
    expect(started.map((r) => r.node?.state)).toEqual(["running", "running"]);
    // A Standard public IP is static: it survives deallocation.
    expect(started.map((r) => r.node?.publicIp)).toEqual(two.map((n) => n.publicIp));

    await teardown("dask-demo");
    expect(fake.vms()).toEqual([]);
    expect(fake.resources().filter((r) => r.tags[CLUSTER_TAG] === "dask-demo")).toEqual([]);
    expect(fake.resources().some((r) => r.id.endsWith("/resourceGroups/dask-rg"))).toBe(false); // created by us, emptied, deleted
    const mutating = new Set(fake.calls.filter((c) => c.mutating).map((c) => c.action));
    expect([...mutating].sort()).toEqual([
      "networkSecurityGroups.createOrUpdate",
      "networkSecurityGroups.delete",
      "resourceGroups.createOrUpdate",
      "resourceGroups.delete",
      "virtualMachines.createOrUpdate",
      "virtualMachines.deallocate",
      "virtualMachines.delete",
      "virtualMachines.start",
      "virtualNetworks.createOrUpdate",
      "virtualNetworks.delete",
    ]);
  });

  test("restricted size and zonal capacity failure fall back to the next candidate; throttling is survived", async () => {
    const spec = specFor("fallback", 2, {
      zone: "2",
      network: { subnet: fake.spec.subnet, allowed_cidrs: ["203.0.113.10/32"] },
    });
    const plan = planFor(spec);
    const [first, second, third] = plan.workers.candidates.map((t) => t.type);
    fake.restrictSku(plan.scheduler.chosen.type, ["2"]);
    fake.inject({ kind: "capacity", instanceType: first, zone: "2" });
    fake.inject({ kind: "throttle", action: "virtualMachines.createOrUpdate", times: 2 });
    notes.length = 0;
    const nodes = await up(plan);
    expect(nodes[0].instanceType).toBe(plan.scheduler.candidates[1].type);
    expect(nodes.slice(1).map((n) => n.instanceType)).toEqual([second, second]);
    expect(nodes.every((n) => n.zone === "2" && n.privateIp?.startsWith("10.20.") && n.fallback)).toBe(true);
    // Said on the node; `up` prints it once for every cloud (src/apply/up.ts).
    expect(nodes.map((n) => n.fallback).join("\n")).toMatch(new RegExp(`${first}: ZonalAllocationFailed`));
    expect(fake.calls.filter((c) => c.throttled)).toHaveLength(2);
    expect(third).toBeDefined();
    fake.clearFaults();
    await teardown("fallback");
    // The group held nothing else, but cloudlaunch did not create this network: the shared VNet stays.
    expect(fake.resources().some((r) => r.id.endsWith("/virtualNetworks/shared-vnet"))).toBe(true);
  });

  test("a cores quota error is a quota CloudError naming the quota and how to raise it", async () => {
    const plan = planFor(specFor("quota", 1));
    await provider.ensureNetwork(plan);
    fake.inject({ kind: "quota" });
    const err = await provider.launch(plan, requests(plan, "worker"), progress).catch((e) => e);
    fake.clearFaults();
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ kind: "quota" });
    expect(err.message).toMatch(/Cores quota|vCPUs/);
    expect(err.message).toMatch(/Usage \+ quotas/);
    await teardown("quota");
  });

  test("a rejected token is an auth CloudError that says how to sign in", async () => {
    const bad = await createProvider(
      { provider: "azure", region: fake.spec.region, azure: { resource_group: "dask-rg" } },
      settingsFrom(fake.badCredentialsEnv),
    );
    const err = await bad.listNodes("dask-demo").catch((e) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ kind: "auth", code: "InvalidAuthenticationToken" });
    expect(err.message).toMatch(/az login/);
  });

  test("without a subscription the driver says where to set one", async () => {
    const { AZURE_SUBSCRIPTION_ID: _, ...env } = fake.env;
    await expect(
      createProvider({ provider: "azure", region: "eastus", azure: { resource_group: "x" } }, settingsFrom(env)),
    ).rejects.toMatchObject({ kind: "invalid" });
  });
});
