// The fake Resource Manager driven through the real Azure SDK clients (not through the driver): wire shapes,
// long-running operations, inline NIC/public IP creation and deletion, power states, paging, SKUs, faults, auth.
import { ComputeManagementClient } from "@azure/arm-compute";
import { NetworkManagementClient } from "@azure/arm-network";
import { ResourceManagementClient } from "@azure/arm-resources";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { startFakeArm, CLUSTER_GROUP, type FakeAzure } from "./azure/index.js";
import { exampleVm } from "./azure/example-vm.js";
import { ArmRateLimits } from "./azure/rate-limits.js";
import type { ArmError } from "./azure/wire.js";

const tokenCredential = (token: string): TokenCredential => ({
  getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
});

describe("fake Azure Resource Manager through the real SDK", () => {
  let fake: FakeAzure;
  let compute: ComputeManagementClient;
  let network: NetworkManagementClient;
  let resources: ResourceManagementClient;
  const poll = { updateIntervalInMs: 5 };
  const loc = "eastus";

  beforeAll(async () => {
    fake = await startFakeArm({ transitionMs: 30, pageSize: 2 });
    const cred = tokenCredential(fake.env.CLOUDLAUNCH_AZURE_ACCESS_TOKEN);
    const common = { endpoint: fake.url, tlsOptions: { ca: fake.caCert } };
    compute = new ComputeManagementClient(cred, fake.subscription, common);
    network = new NetworkManagementClient(cred, fake.subscription, common);
    resources = new ResourceManagementClient(cred, fake.subscription, common);
    await resources.resourceGroups.createOrUpdate(CLUSTER_GROUP, { location: loc, tags: { owner: "test" } });
  });
  afterAll(() => fake.close());

  const vmBody = (name: string, size = "Standard_D2s_v5", extra: Record<string, unknown> = {}) =>
    exampleVm(fake.spec.subnet, name, size, extra);
  const powerOf = async (name: string) =>
    (await compute.virtualMachines.instanceView(CLUSTER_GROUP, name)).statuses?.find((s) =>
      s.code?.startsWith("PowerState/"),
    )?.code;

  test("one PUT creates the VM with its NIC and Standard static IP; deallocate keeps the IP; one DELETE removes all", async () => {
    const vm = await compute.virtualMachines.beginCreateOrUpdateAndWait(CLUSTER_GROUP, "vm1", vmBody("vm1"), poll);
    expect(vm.provisioningState).toBe("Succeeded");
    expect(vm.osProfile?.customData).toBeUndefined();
    const nicId = vm.networkProfile?.networkInterfaces?.[0].id ?? "";
    const nic = await network.networkInterfaces.get(CLUSTER_GROUP, nicId.split("/").pop()!);
    expect(nic.ipConfigurations?.[0].privateIPAddress).toMatch(/^10\.20\./);
    const pip = await network.publicIPAddresses.get(CLUSTER_GROUP, "vm1-ip");
    expect(pip.sku?.name).toBe("Standard");
    expect(pip.tags).toEqual({ "cloudlaunch-cluster": "c1" });
    expect(await powerOf("vm1")).toBe("PowerState/running");

    await compute.virtualMachines.beginDeallocateAndWait(CLUSTER_GROUP, "vm1", poll);
    expect(await powerOf("vm1")).toBe("PowerState/deallocated");
    expect((await network.publicIPAddresses.get(CLUSTER_GROUP, "vm1-ip")).ipAddress).toBe(pip.ipAddress);
    await compute.virtualMachines.beginStartAndWait(CLUSTER_GROUP, "vm1", poll);
    expect(await powerOf("vm1")).toBe("PowerState/running");

    await compute.virtualMachines.beginDeleteAndWait(CLUSTER_GROUP, "vm1", poll);
    const left = [];
    for await (const r of resources.resources.listByResourceGroup(CLUSTER_GROUP)) left.push(r.name);
    expect(left).toEqual([]);
    const mutating = fake.calls.filter((c) => c.mutating).map((c) => c.action);
    expect(mutating).toEqual(
      expect.arrayContaining([
        "virtualMachines.createOrUpdate",
        "virtualMachines.deallocate",
        "virtualMachines.start",
        "virtualMachines.delete",
      ]),
    );
    expect(fake.calls.filter((c) => c.action === "operations.get").every((c) => !c.mutating)).toBe(true);
  });

  test("NSG in use cannot be deleted; tag $filter and nextLink paging list the tagged resources", async () => {
    const nsg = await network.networkSecurityGroups.beginCreateOrUpdateAndWait(
      CLUSTER_GROUP,
      "c1-nsg",
      {
        location: loc,
        tags: { "cloudlaunch-cluster": "c1" },
        securityRules: [
          {
            name: "dask",
            protocol: "Tcp",
            access: "Allow",
            direction: "Inbound",
            priority: 100,
            sourceAddressPrefixes: ["203.0.113.10/32"],
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRanges: ["22", "8786", "8787"],
          },
        ],
      },
      poll,
    );
    expect(nsg.provisioningState).toBe("Succeeded");
    const body = vmBody("vm2");
    (body.networkProfile.networkInterfaceConfigurations[0] as any).networkSecurityGroup = { id: nsg.id };
    await compute.virtualMachines.beginCreateOrUpdateAndWait(CLUSTER_GROUP, "vm2", body, poll);
    await expect(network.networkSecurityGroups.beginDeleteAndWait(CLUSTER_GROUP, "c1-nsg", poll)).rejects.toMatchObject(
      { code: "InUseNetworkSecurityGroupCannotBeDeleted" },
    );

    const tagged: string[] = [];
    for await (const r of resources.resources.listByResourceGroup(CLUSTER_GROUP, {
      filter: "tagName eq 'cloudlaunch-cluster' and tagValue eq 'c1'",
    }))
      tagged.push(r.type!);
    expect(tagged.sort()).toEqual([
      "Microsoft.Compute/virtualMachines",
      "Microsoft.Network/networkInterfaces",
      "Microsoft.Network/networkSecurityGroups",
      "Microsoft.Network/publicIPAddresses",
    ]);
    expect(fake.calls.filter((c) => c.action === "resources.listByResourceGroup").length).toBeGreaterThan(1); // paged

    await compute.virtualMachines.beginDeleteAndWait(CLUSTER_GROUP, "vm2", poll);
    await network.networkSecurityGroups.beginDeleteAndWait(CLUSTER_GROUP, "c1-nsg", poll);
    expect(fake.resources().filter((r) => r.tags["cloudlaunch-cluster"] === "c1")).toEqual([]);
  });

  test("resourceSkus carry zones, the capabilities and restrictions; a restricted size is refused", async () => {
    fake.restrictSku("Standard_D4s_v5");
    const skus = [];
    for await (const s of compute.resourceSkus.list({ filter: `location eq '${loc}'` })) skus.push(s);
    const d2 = skus.find((s) => s.name === "Standard_D2s_v5");
    expect(d2?.locationInfo?.[0].zones).toEqual(["1", "2", "3"]);
    expect(d2?.capabilities).toEqual(expect.arrayContaining([{ name: "vCPUs", value: "2" }]));
    expect(skus.find((s) => s.name === "Standard_D4s_v5")?.restrictions?.[0]).toMatchObject({
      type: "Location",
      reasonCode: "NotAvailableForSubscription",
    });
    await expect(
      compute.virtualMachines.beginCreateOrUpdateAndWait(CLUSTER_GROUP, "vm3", vmBody("vm3", "Standard_D4s_v5"), poll),
    ).rejects.toMatchObject({ code: "SkuNotAvailable" });
  });

  test("faults: capacity in a zone fails the operation, quota names the family, throttling is retried", async () => {
    fake.inject({ kind: "capacity", instanceType: "Standard_D2s_v5", zone: "2", times: 1 });
    await expect(
      compute.virtualMachines.beginCreateOrUpdateAndWait(
        CLUSTER_GROUP,
        "vm4",
        vmBody("vm4", "Standard_D2s_v5", { zones: ["2"] }),
        poll,
      ),
    ).rejects.toThrow(/ZonalAllocationFailed/);
    expect(fake.vms().find((v) => v.name === "vm4")?.state).toBe("failed");
    await compute.virtualMachines.beginDeleteAndWait(CLUSTER_GROUP, "vm4", poll);

    fake.inject({ kind: "quota", times: 1 });
    await expect(
      compute.virtualMachines.beginCreateOrUpdateAndWait(CLUSTER_GROUP, "vm5", vmBody("vm5"), poll),
    ).rejects.toMatchObject({ code: "OperationNotAllowed", message: expect.stringMatching(/Cores quota/) });

    fake.inject({ kind: "throttle", action: "resourceGroups.get", times: 1 });
    const group = await resources.resourceGroups.get(CLUSTER_GROUP);
    expect(group.tags).toEqual({ owner: "test" });
    expect(fake.calls.filter((c) => c.throttled).map((c) => c.status)).toEqual([429]);
  });

  test("a wrong bearer token is answered 401 InvalidAuthenticationToken", async () => {
    const bad = new ResourceManagementClient(tokenCredential("forged"), fake.subscription, {
      endpoint: fake.url,
      tlsOptions: { ca: fake.caCert },
    });
    await expect(bad.resourceGroups.get(CLUSTER_GROUP)).rejects.toMatchObject({
      statusCode: 401,
      code: "InvalidAuthenticationToken",
    });
  });
});

describe("fake Resource Manager throttling (documented token buckets)", () => {
  const refusal = (limits: ArmRateLimits, call: { method: string; computePolicy?: string }, now: number) => {
    try {
      limits.admit(call, now);
      return undefined;
    } catch (err) {
      return err as ArmError;
    }
  };

  test("ARM writes: 200 at once, then 429 with Retry-After and no writes remaining; reads are counted apart; 10 a second return", () => {
    const limits = new ArmRateLimits();
    const t0 = 1_000_000;
    const remaining = Array.from({ length: 200 }, () =>
      Number(limits.admit({ method: "PUT" }, t0)["x-ms-ratelimit-remaining-subscription-writes"]),
    );
    expect(remaining[0]).toBe(199);
    expect(remaining.at(-1)).toBe(0);
    const err = refusal(limits, { method: "POST" }, t0);
    expect(err).toMatchObject({ status: 429, code: "TooManyRequests" });
    expect(err?.headers).toMatchObject({ "retry-after": "1", "x-ms-ratelimit-remaining-subscription-writes": "0" });
    expect(limits.admit({ method: "GET" }, t0)).toEqual({ "x-ms-ratelimit-remaining-subscription-reads": "249" });
    expect(limits.admit({ method: "DELETE" }, t0)).toEqual({ "x-ms-ratelimit-remaining-subscription-deletes": "199" });
    for (let i = 0; i < 10; i++) expect(refusal(limits, { method: "PUT" }, t0 + 1000)).toBeUndefined();
    expect(refusal(limits, { method: "PUT" }, t0 + 1000)?.status).toBe(429);
  });

  test("Compute's High Cost Get (VM lists): 900, then Compute's own 429 naming the policy", () => {
    const limits = new ArmRateLimits();
    let now = 0;
    let err: ArmError | undefined;
    let admitted = 0;
    // 50 ms apart: ARM's read bucket (25 a second) refills faster than that, Compute's (5 a second) does not.
    while (!err && admitted < 5000) {
      now += 50;
      err = refusal(limits, { method: "GET", computePolicy: "HighCostGetVM" }, now);
      if (!err) admitted++;
    }
    expect(admitted).toBeGreaterThanOrEqual(900);
    expect(err).toMatchObject({ status: 429, code: "OperationNotAllowed" });
    expect(err?.headers["x-ms-ratelimit-remaining-resource"]).toBe("Microsoft.Compute/HighCostGetVM;0");
    expect(Number(err?.headers["retry-after"])).toBeGreaterThanOrEqual(1);
  });

  test("through the SDK: 230 concurrent writes are throttled past the bucket and the retries after Retry-After get through", async () => {
    // The buckets refill as time passes: on a slow machine 230 calls could trickle in under the refill rate. Time
    // stands still for them until the first call is throttled, then runs, so the retries get through.
    const start = Date.now();
    const clock = () => (fake.calls.some((c) => c.throttled) ? Date.now() : start);
    const fake = await startFakeArm({ rateLimitClock: clock });
    try {
      // As the driver does: more retries than the SDK's 3, since every throttled call retries after the same Retry-After.
      const client = new ResourceManagementClient(
        tokenCredential(fake.env.CLOUDLAUNCH_AZURE_ACCESS_TOKEN),
        fake.subscription,
        { endpoint: fake.url, tlsOptions: { ca: fake.caCert }, retryOptions: { maxRetries: 8 } },
      );
      const remaining: number[] = [];
      const onResponse = (r: { headers: { get(name: string): string | undefined } }) =>
        void remaining.push(Number(r.headers.get("x-ms-ratelimit-remaining-subscription-writes")));
      await Promise.all(
        Array.from({ length: 230 }, (_, i) =>
          client.resourceGroups.createOrUpdate(`g${i}`, { location: "eastus" }, { onResponse }),
        ),
      );
      expect(fake.calls.filter((c) => c.throttled).length).toBeGreaterThan(0);
      expect(fake.calls.filter((c) => c.action === "resourceGroups.createOrUpdate" && c.status === 201)).toHaveLength(
        230,
      );
      expect(remaining.every(Number.isFinite)).toBe(true);
      expect(Math.min(...remaining)).toBeLessThan(10);
    } finally {
      await fake.close();
    }
  });

  test("rateLimits: false turns the buckets off", async () => {
    const fake = await startFakeArm({ rateLimits: false });
    try {
      const client = new ResourceManagementClient(
        tokenCredential(fake.env.CLOUDLAUNCH_AZURE_ACCESS_TOKEN),
        fake.subscription,
        { endpoint: fake.url, tlsOptions: { ca: fake.caCert } },
      );
      await Promise.all(
        Array.from({ length: 215 }, (_, i) => client.resourceGroups.createOrUpdate(`g${i}`, { location: "eastus" })),
      );
      expect(fake.calls.filter((c) => c.throttled)).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
