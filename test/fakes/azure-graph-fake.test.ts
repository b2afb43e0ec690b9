// The fake's Azure Resource Graph through the Compute SDK's REST-level client (the pipeline the driver uses): the
// documented answer shape, $top/$skipToken paging, the subscriptions scope, a query outside the fake's KQL subset
// answered as Resource Graph answers an invalid query, the per-user quota, and an index that trails Resource Manager.
import { createComputeManagement } from "@azure/arm-compute/api";
import { ComputeManagementClient } from "@azure/arm-compute";
import { ResourceManagementClient } from "@azure/arm-resources";
import type { TokenCredential } from "@azure/core-auth";
import { CLUSTER_GROUP, startFakeArm, type FakeAzure } from "./azure/index.js";
import { exampleVm } from "./azure/example-vm.js";

const VM_QUERY =
  "Resources | where type =~ 'Microsoft.Compute/virtualMachines' and (tags['team'] == 'a' or tags.team == 'b') " +
  "| project id, name, power = tostring(properties.extended.instanceView.powerState.code), team = tags['team'] " +
  "| order by name asc";

describe("fake Azure Resource Graph", () => {
  let fake: FakeAzure;
  let arm: ReturnType<typeof createComputeManagement>;
  let compute: ComputeManagementClient;
  const post = (body: unknown, apiVersion = "2024-04-01") =>
    arm
      .pathUnchecked("/providers/Microsoft.ResourceGraph/resources")
      .post({ queryParameters: { "api-version": apiVersion }, body });

  const vm = (name: string, team: string) => ({ ...exampleVm(fake.spec.subnet, name), tags: { team } });

  beforeAll(async () => {
    fake = await startFakeArm({ transitionMs: 20, graphPageSize: 2, rateLimits: false });
    const cred: TokenCredential = {
      getToken: async () => ({
        token: fake.env.CLOUDLAUNCH_AZURE_ACCESS_TOKEN,
        expiresOnTimestamp: Date.now() + 3600_000,
      }),
    };
    const options = { endpoint: fake.url, tlsOptions: { ca: fake.caCert } };
    arm = createComputeManagement(cred, fake.subscription, options);
    compute = new ComputeManagementClient(cred, fake.subscription, options);
    await new ResourceManagementClient(cred, fake.subscription, options).resourceGroups.createOrUpdate(CLUSTER_GROUP, {
      location: "eastus",
    });
    for (const [name, team] of [
      ["vm1", "a"],
      ["vm2", "b"],
      ["vm3", "a"],
      ["vm4", "c"],
    ])
      await compute.virtualMachines.beginCreateOrUpdateAndWait(CLUSTER_GROUP, name, vm(name, team), {
        updateIntervalInMs: 5,
      });
  });
  afterAll(() => fake.close());

  test("answers the documented shape, paged by $top and $skipToken, within the requested subscriptions", async () => {
    const first = await post({ subscriptions: [fake.subscription], query: VM_QUERY, options: { $top: 1000 } });
    expect(first.status).toBe("200");
    expect(first.headers["x-ms-user-quota-remaining"]).toMatch(/^\d+$/);
    expect(first.headers["x-ms-user-quota-resets-after"]).toMatch(/^\d\d:\d\d:\d\d$/);
    const body = first.body as any;
    expect(body).toMatchObject({ totalRecords: 3, count: 2, resultTruncated: "false", facets: [] });
    expect(body.data).toEqual([
      { id: expect.stringMatching(/virtualMachines\/vm1$/), name: "vm1", power: "PowerState/running", team: "a" },
      { id: expect.stringMatching(/virtualMachines\/vm2$/), name: "vm2", power: "PowerState/running", team: "b" },
    ]);
    const second = await post({
      subscriptions: [fake.subscription],
      query: VM_QUERY,
      options: { $skipToken: body.$skipToken },
    });
    expect((second.body as any).data.map((r: any) => r.name)).toEqual(["vm3"]);
    expect((second.body as any).$skipToken).toBeUndefined();
    // Type is lower-cased, as Resource Graph returns it; another subscription holds nothing of these.
    const types = await post({
      subscriptions: [fake.subscription],
      query: "Resources | where name == 'vm1' | project type",
    });
    expect((types.body as any).data).toEqual([{ type: "microsoft.compute/virtualmachines" }]);
    const elsewhere = await post({ subscriptions: ["00000000-0000-0000-0000-000000000000"], query: VM_QUERY });
    expect((elsewhere.body as any).totalRecords).toBe(0);
  });

  test.each([
    ["an operator outside the subset", "Resources | summarize count() by type"],
    ["a function outside the subset", "Resources | where isnotempty(tags.team)"],
    ["an unknown column", "Resources | where nosuch == 'x'"],
    ["another table", "ResourceContainers | project id"],
    ["a stray token", "Resources | where name == 'a' 'b'"],
  ])("%s is answered 400 BadRequest / InvalidQuery, never skipped", async (_what, query) => {
    const res = await post({ subscriptions: [fake.subscription], query });
    expect(res.status).toBe("400");
    const error = (res.body as any).error;
    expect(error.code).toBe("BadRequest");
    expect(error.details.map((d: any) => d.code)).toEqual(["InvalidQuery", "ParserFailure"]);
  });

  test("$top over 1000 is refused", async () => {
    const res = await post({ subscriptions: [fake.subscription], query: VM_QUERY, options: { $top: 5000 } });
    expect(res.status).toBe("400");
  });

  test("the index trails Resource Manager by the configured lag", async () => {
    fake.setGraphLag(60_000);
    await compute.virtualMachines.beginDeallocateAndWait(CLUSTER_GROUP, "vm1", { updateIntervalInMs: 5 });
    const lagging = await post({ subscriptions: [fake.subscription], query: VM_QUERY });
    expect((lagging.body as any).data[0]).toMatchObject({ name: "vm1", power: "PowerState/running" });
    fake.setGraphLag(0);
    const current = await post({ subscriptions: [fake.subscription], query: VM_QUERY });
    expect((current.body as any).data[0]).toMatchObject({ name: "vm1", power: "PowerState/deallocated" });
  });

  test("over the per-user quota: 429 RateLimiting with the quota headers and no Retry-After", async () => {
    const limited = await startFakeArm();
    try {
      const token = limited.env.CLOUDLAUNCH_AZURE_ACCESS_TOKEN;
      const client = createComputeManagement(
        { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) },
        limited.subscription,
        { endpoint: limited.url, tlsOptions: { ca: limited.caCert }, retryOptions: { maxRetries: 0 } },
      );
      const query = () =>
        client
          .pathUnchecked("/providers/Microsoft.ResourceGraph/resources")
          .post({ queryParameters: { "api-version": "2024-04-01" }, body: { query: "Resources | project id" } });
      let res = await query();
      for (let i = 0; i < 20 && res.status === "200"; i++) res = await query();
      expect(res.status).toBe("429");
      expect((res.body as any).error.code).toBe("RateLimiting");
      expect(res.headers["x-ms-user-quota-remaining"]).toBe("0");
      expect(res.headers["x-ms-user-quota-resets-after"]).toMatch(/^00:00:0\d$/);
      expect(res.headers["retry-after"]).toBeUndefined();
    } finally {
      await limited.close();
    }
  });
});
