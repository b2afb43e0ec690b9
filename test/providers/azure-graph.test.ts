// The Azure driver's eventual listing (what `status` asks for) against the fake's Resource Graph, through the real
// SDK pipeline: only the cluster's own nodes, with states and addresses, in a few paged queries and no
// subscription-wide call; and a lagging index that status shows as it is while stop/terminate, which read Resource
// Manager, are not fooled by it.
import { ComputeManagementClient } from "@azure/arm-compute";
import { typesIn } from "../../src/catalog/catalog.js";
import { planCluster } from "../../src/plan/plan.js";
import type { Plan } from "../../src/plan/types.js";
import { createProvider } from "../../src/providers/azure/index.js";
import { settingsFrom } from "../../src/settings.js";
import { resolved } from "../support/spec.js";
import type { LaunchRequest, NodeInfo, Progress, Provider } from "../../src/providers/provider.js";
import { CLUSTER_GROUP, startFakeArm, type FakeAzure } from "../fakes/azure/index.js";
import { publicKeyFile } from "../support/fake-cloud.js";

const keyFile = publicKeyFile();
const progress: Progress = { update: () => {}, note: () => {} };
const EVENTUAL = { consistency: "eventual" } as const;

describe("Azure status listing from Resource Graph (fake)", () => {
  let fake: FakeAzure;
  let provider: Provider;

  const planFor = (name: string, workers: number): Plan =>
    planCluster(
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
        azure: { resource_group: CLUSTER_GROUP, subscription_id: fake.subscription },
      }),
      typesIn("azure", fake.spec.region),
      [],
    );
  const up = async (name: string, workers: number) => {
    const plan = planFor(name, workers);
    await provider.ensureNetwork(plan);
    const requests: LaunchRequest[] = plan.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      spot: n.spot,
      userData: () => "#cloud-config\n",
      candidates: (n.role === "scheduler" ? plan.scheduler : plan.workers).candidates,
    }));
    return provider.launch(plan, requests, progress);
  };
  const brief = (nodes: NodeInfo[]) =>
    nodes.map((n) => [n.name, n.state, n.privateIp, n.publicIp, n.instanceType, n.zone, n.role]).sort();
  const actionsSince = (from: number) => fake.calls.slice(from).map((c) => c.action);
  const until = async (what: () => Promise<boolean>) => {
    for (let i = 0; i < 400 && !(await what()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await what()).toBe(true);
  };

  beforeAll(async () => {
    // Three Resource Graph rows per node (VM, NIC, public IP) and pages of 4 rows: status must follow $skipToken.
    fake = await startFakeArm({ transitionMs: 20, pageSize: 4, graphPageSize: 4 });
    provider = await createProvider(
      {
        provider: "azure",
        region: fake.spec.region,
        azure: { resource_group: CLUSTER_GROUP, subscription_id: fake.subscription },
      },
      settingsFrom(fake.env),
    );
    await up("own", 2);
    await up("other", 1);
    // Someone else's VMs in the same group: one made to look like ours but without the ownership tag, one untagged.
    await up("mimic", 1);
    const compute = new ComputeManagementClient(
      {
        getToken: async () => ({
          token: fake.env.CLOUDLAUNCH_AZURE_ACCESS_TOKEN,
          expiresOnTimestamp: Date.now() + 3600_000,
        }),
      },
      fake.subscription,
      { endpoint: fake.url, tlsOptions: { ca: fake.caCert } },
    );
    await compute.virtualMachines.beginUpdateAndWait(
      CLUSTER_GROUP,
      "mimic-scheduler",
      { tags: { "cloudlaunch-cluster": "own" } },
      { updateIntervalInMs: 5 },
    );
    await compute.virtualMachines.beginUpdateAndWait(
      CLUSTER_GROUP,
      "mimic-worker-001",
      { tags: {} },
      { updateIntervalInMs: 5 },
    );
  });
  afterAll(() => fake.close());

  test("lists only the cluster's own nodes, as Resource Manager does, in paged Resource Graph queries only", async () => {
    const strong = await provider.listNodes("own");
    const from = fake.calls.length;
    const eventual = await provider.listNodes("own", EVENTUAL);
    expect(brief(eventual)).toEqual(brief(strong));
    expect(eventual.map((n) => n.name).sort()).toEqual(["own-scheduler", "own-worker-001", "own-worker-002"]);
    expect(eventual.every((n) => n.state === "running" && n.publicIp && n.privateIp && n.launchTime)).toBe(true);
    // 9 rows (VM, NIC, public IP per node) in pages of 4; no VM, NIC or IP list, nothing subscription-wide.
    expect(actionsSince(from)).toEqual(Array(3).fill("resourceGraph.resources"));

    const absent = fake.calls.length;
    expect(await provider.listNodes("absent", EVENTUAL)).toEqual([]);
    expect(actionsSince(absent)).toEqual(["resourceGraph.resources"]);
  });

  test("all clusters: every owned cluster of the group, never someone else's VMs", async () => {
    const nodes = await provider.listNodes(undefined, EVENTUAL);
    const names = nodes.map((n) => n.name).sort();
    expect(names).toEqual(["other-scheduler", "other-worker-001", "own-scheduler", "own-worker-001", "own-worker-002"]);
    expect(brief(nodes)).toEqual(brief(await provider.listNodes()));
  });

  test("a lagging index: status shows the old state; stop and terminate read Resource Manager and are not fooled", async () => {
    fake.setGraphLag(300);
    const own = await provider.listNodes("own");
    const worker = own.filter((n) => n.name === "own-worker-002");
    const stopped = await provider.stop(worker, progress);
    expect(stopped.map((r) => [r.ok, r.node?.state])).toEqual([[true, "stopped"]]);
    // Right after the stop the index still has the VM running; Resource Manager has it stopped.
    expect((await provider.listNodes("own", EVENTUAL)).find((n) => n.name === "own-worker-002")?.state).toBe("running");
    expect((await provider.listNodes("own")).find((n) => n.name === "own-worker-002")?.state).toBe("stopped");
    // A second stop decides from Resource Manager: already stopped, no new deallocate.
    const before = fake.calls.length;
    expect((await provider.stop(worker, progress)).map((r) => r.message)).toEqual(["already stopped"]);
    expect(actionsSince(before)).not.toContain("virtualMachines.deallocate");
    await until(
      async () =>
        (await provider.listNodes("own", EVENTUAL)).find((n) => n.name === "own-worker-002")?.state === "stopped",
    );

    fake.setGraphLag(60_000);
    const terminated = await provider.terminate(await provider.listNodes("other"), progress);
    expect(terminated.every((r) => r.ok)).toBe(true);
    expect(await provider.listNodes("other")).toEqual([]);
    // The index has not heard of it: status still shows the cluster, until it catches up.
    expect((await provider.listNodes("other", EVENTUAL)).map((n) => n.name).sort()).toEqual([
      "other-scheduler",
      "other-worker-001",
    ]);
    fake.setGraphLag(0);
    expect(await provider.listNodes("other", EVENTUAL)).toEqual([]);
  });

  test("over Resource Graph's per-user quota, status waits for the quota's reset and succeeds", async () => {
    const from = fake.calls.length;
    const throttled = () =>
      fake.calls.slice(from).some((c) => c.action === "resourceGraph.resources" && c.status === 429);
    for (let i = 0; i < 40 && !throttled(); i++) expect(await provider.listNodes("absent", EVENTUAL)).toEqual([]);
    expect(throttled()).toBe(true);
  });
});
