// The fake's instances.bulkInsert, driven through the real InstancesClient (REST transport): names from
// perInstanceProperties, requestId replay, name collisions, all-or-nothing capacity and up-front quota errors.
import { OAuth2Client } from "google-auth-library";
import { InstancesClient } from "@google-cloud/compute/build/src/v1/instances_client";
import { ZoneOperationsClient } from "@google-cloud/compute/build/src/v1/zone_operations_client";
import type { protos } from "@google-cloud/compute";
import { startFakeGcp } from "./gcp/index";
import type { FakeCloud } from "./harness";

type Operation = protos.google.cloud.compute.v1.IOperation;

let fake: FakeCloud;
let project: string;
let zone: string;
let instances: InstancesClient;
let ops: ZoneOperationsClient;

function options() {
  // Node's fetch: gaxios's default (an ESM import of node-fetch) cannot load inside jest's CommonJS sandbox.
  const authClient = new OAuth2Client({ transporterOptions: { fetchImplementation: fetch as never } });
  authClient.setCredentials({ access_token: fake.env.CLOUDLAUNCH_GCP_ACCESS_TOKEN });
  const url = new URL(fake.url);
  return { apiEndpoint: url.hostname, port: Number(url.port), protocol: "http", authClient };
}

const latest = (res: unknown[]) => (res[0] as { latestResponse: Operation }).latestResponse;

function bulk(names: string[], machineType = "e2-standard-2") {
  return {
    count: names.length,
    minCount: names.length,
    instanceProperties: {
      machineType,
      labels: { "cloudlaunch-cluster": "demo", "cloudlaunch-role": "worker" },
      metadata: { items: [{ key: "user-data", value: "#cloud-config\n" }] },
      disks: [
        {
          boot: true,
          autoDelete: true,
          initializeParams: {
            sourceImage: "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64",
            diskSizeGb: "20",
            diskType: "pd-balanced",
          },
        },
      ],
      networkInterfaces: [
        {
          subnetwork: `regions/${fake.spec.region}/subnetworks/${fake.spec.subnet}`,
          accessConfigs: [{ type: "ONE_TO_ONE_NAT", name: "External NAT" }],
        },
      ],
    },
    perInstanceProperties: Object.fromEntries(names.map((n) => [n, {}])),
  };
}

const send = (names: string[], requestId?: string, machineType?: string) =>
  instances
    .bulkInsert({ project, zone, requestId, bulkInsertInstanceResourceResource: bulk(names, machineType) })
    .then(latest);

beforeEach(async () => {
  fake = await startFakeGcp({ transitionMs: 60 });
  project = (fake.spec.extra.gcp as { project: string }).project;
  zone = fake.spec.zones[1];
  instances = new InstancesClient(options());
  ops = new ZoneOperationsClient(options());
});
afterEach(async () => {
  await Promise.all([instances.close(), ops.close()]);
  await fake.close();
});

test("bulkInsert names every instance from perInstanceProperties, reports its counts, and replays a requestId", async () => {
  const names = ["demo-worker-001", "demo-worker-002", "demo-worker-003"];
  const op = await send(names, "6f1c3c1e-0000-4000-8000-00000000b001");
  expect(op).toMatchObject({ operationType: "bulkInsert" });
  const [done] = await ops.wait({ project, zone, operation: op.name! });
  expect(done.status).toBe("DONE");
  expect(done.error).toBeFalsy();
  expect(done.instancesBulkInsertOperationMetadata?.perLocationStatus?.[`zones/${zone}`]).toMatchObject({
    status: "DONE",
    targetVmCount: 3,
    createdVmCount: 3,
  });
  expect(
    fake
      .vms()
      .map((v) => [v.name, v.zone, v.instanceType])
      .sort(),
  ).toEqual(names.map((n) => [n, zone, "e2-standard-2"]));
  const [one] = await instances.get({ project, zone, instance: "demo-worker-002" });
  expect(one.labels).toMatchObject({ "cloudlaunch-cluster": "demo" });
  expect(one.metadata?.items).toContainEqual(expect.objectContaining({ key: "user-data", value: "#cloud-config\n" }));

  const again = await send(names, "6f1c3c1e-0000-4000-8000-00000000b001");
  expect(again.name).toBe(op.name);
  expect(fake.vms()).toHaveLength(3);
  expect(
    fake.calls.filter((c) => c.action === "compute.instances.bulkInsert").map((c) => [c.status, c.mutating]),
  ).toEqual([
    [200, true],
    [200, true],
  ]);
});

test("a taken name refuses the whole request with 409; count, names and machine type are validated", async () => {
  await ops.wait({ project, zone, operation: (await send(["demo-worker-002"])).name! });
  await expect(send(["demo-worker-001", "demo-worker-002"])).rejects.toMatchObject({
    status: 409,
    message: expect.stringMatching(/instances\/demo-worker-002' already exists/),
  });
  expect(fake.vms().map((v) => v.name)).toEqual(["demo-worker-002"]);
  await expect(send(["Bad_Name"])).rejects.toMatchObject({ status: 400 });
  await expect(send(["demo-worker-009"], undefined, `zones/${zone}/machineTypes/e2-standard-2`)).rejects.toMatchObject({
    status: 400,
  });
  const mismatched = { ...bulk(["demo-worker-010"]), count: 2 };
  await expect(
    instances.bulkInsert({ project, zone, bulkInsertInstanceResourceResource: mismatched }),
  ).rejects.toMatchObject({ status: 400 });
});

test("capacity fails the operation and leaves none of the batch; quota is refused up front with quotaExceeded", async () => {
  fake.inject({ kind: "capacity", zone, times: 1 });
  const failed = await send(["c-1", "c-2", "c-3"]);
  const [done] = await ops.wait({ project, zone, operation: failed.name! });
  // The real order (googleapis/google-cloud-go issue 5168): the min-count failure first, the reason after it.
  expect(done.error?.errors?.map((e) => e.code)).toEqual(["VM_MIN_COUNT_NOT_REACHED", "ZONE_RESOURCE_POOL_EXHAUSTED"]);
  expect(done.error?.errors?.[0]?.message).toBe("Requested minimum count of 3 VMs could not be created.");
  expect(done.instancesBulkInsertOperationMetadata?.perLocationStatus?.[`zones/${zone}`]).toMatchObject({
    targetVmCount: 3,
    createdVmCount: 0,
    failedToCreateVmCount: 3,
  });
  expect(fake.vms()).toEqual([]);

  fake.inject({ kind: "quota", times: 1 });
  const refused = await send(["q-1", "q-2"]).catch((e) => e);
  expect(refused).toMatchObject({ status: 403 });
  expect(JSON.parse(refused.message).error.errors[0]).toMatchObject({ reason: "quotaExceeded", domain: "usageLimits" });
  expect(fake.vms()).toEqual([]);
  // The same names succeed once the fault is gone.
  await ops.wait({ project, zone, operation: (await send(["c-1", "c-2", "c-3"])).name! });
  expect(fake.vms()).toHaveLength(3);
});
