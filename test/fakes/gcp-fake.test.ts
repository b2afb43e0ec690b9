// Drives the fake Compute API through the real @google-cloud/compute clients (REST transport), not the driver.
import { OAuth2Client } from "google-auth-library";
import { InstancesClient } from "@google-cloud/compute/build/src/v1/instances_client";
import { ZoneOperationsClient } from "@google-cloud/compute/build/src/v1/zone_operations_client";
import { ImagesClient } from "@google-cloud/compute/build/src/v1/images_client";
import { MachineTypesClient } from "@google-cloud/compute/build/src/v1/machine_types_client";
import { FirewallsClient } from "@google-cloud/compute/build/src/v1/firewalls_client";
import type { protos } from "@google-cloud/compute";
import { until } from "../support/fake-cloud";
import { type FakeGcp, startFakeGcp } from "./gcp/index";
import type { FakeCloud } from "./harness";

type Operation = protos.google.cloud.compute.v1.IOperation;

let fake: FakeCloud;
let project: string;
let zone: string;

function options(token = fake.env.CLOUDLAUNCH_GCP_ACCESS_TOKEN) {
  // Node's fetch: gaxios's default (an ESM import of node-fetch) cannot load inside jest's CommonJS sandbox.
  const authClient = new OAuth2Client({ transporterOptions: { fetchImplementation: fetch as never } });
  authClient.setCredentials({ access_token: token });
  const url = new URL(fake.url);
  return { apiEndpoint: url.hostname, port: Number(url.port), protocol: "http", authClient };
}

const latest = (res: unknown[]) => (res[0] as { latestResponse: Operation }).latestResponse;

function instanceBody(
  name: string,
  labels: Record<string, string> = { "cloudlaunch-cluster": "demo" },
  machineType = "n2-standard-2",
) {
  return {
    name,
    machineType: `zones/${zone}/machineTypes/${machineType}`,
    labels,
    disks: [
      {
        boot: true,
        autoDelete: true,
        initializeParams: {
          sourceImage: "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64",
          diskSizeGb: "20",
        },
      },
    ],
    networkInterfaces: [
      {
        subnetwork: `regions/${fake.spec.region}/subnetworks/${fake.spec.subnet}`,
        accessConfigs: [{ type: "ONE_TO_ONE_NAT", name: "External NAT" }],
      },
    ],
  };
}

beforeEach(async () => {
  fake = await startFakeGcp({ transitionMs: 60 });
  project = (fake.spec.extra.gcp as { project: string }).project;
  zone = fake.spec.zones[1];
});
afterEach(() => fake.close());

/** Until the fake holds instance `name` RUNNING: its state, polled. */
async function runs(name: string) {
  expect(await until(() => fake.vms().some((v) => v.name === name && v.state === "RUNNING"))).toBe(true);
}

test("insert progresses operation and instance, stop releases the external IP and start assigns a new one", async () => {
  const instances = new InstancesClient(options());
  const ops = new ZoneOperationsClient(options());
  const op = latest(
    await instances.insert({
      project,
      zone,
      instanceResource: instanceBody("demo-scheduler"),
      requestId: "6f1c3c1e-0000-4000-8000-000000000001",
    }),
  );
  expect(["PENDING", "RUNNING"]).toContain(op.status);
  const [done] = await ops.wait({ project, zone, operation: op.name! });
  expect(done.status).toBe("DONE");
  expect(done.error).toBeFalsy();

  await runs("demo-scheduler");
  const [running] = await instances.get({ project, zone, instance: "demo-scheduler" });
  expect(running.status).toBe("RUNNING");
  const firstIp = running.networkInterfaces![0].accessConfigs![0].natIP;
  expect(firstIp).toMatch(/^34\.118\./);
  expect(running.networkInterfaces![0].networkIP).toMatch(/^10\.128\./);

  await ops.wait({
    project,
    zone,
    operation: latest(await instances.stop({ project, zone, instance: "demo-scheduler" })).name!,
  });
  const [stopped] = await instances.get({ project, zone, instance: "demo-scheduler" });
  expect(stopped.status).toBe("TERMINATED");
  expect(stopped.networkInterfaces![0].accessConfigs![0].natIP).toBeFalsy();

  await ops.wait({
    project,
    zone,
    operation: latest(await instances.start({ project, zone, instance: "demo-scheduler" })).name!,
  });
  await runs("demo-scheduler");
  const [restarted] = await instances.get({ project, zone, instance: "demo-scheduler" });
  expect(restarted.status).toBe("RUNNING");
  expect(restarted.networkInterfaces![0].accessConfigs![0].natIP).not.toBe(firstIp);

  await ops.wait({
    project,
    zone,
    operation: latest(await instances.delete({ project, zone, instance: "demo-scheduler" })).name!,
  });
  await expect(instances.get({ project, zone, instance: "demo-scheduler" })).rejects.toMatchObject({ status: 404 });
  expect(fake.resources().filter((r) => r.kind === "disk")).toEqual([]);
  const mutating = fake.calls.filter((c) => c.mutating).map((c) => c.action);
  expect(mutating).toEqual([
    "compute.instances.insert",
    "compute.instances.stop",
    "compute.instances.start",
    "compute.instances.delete",
  ]);
});

test("a repeated requestId returns the first operation and creates nothing new", async () => {
  const instances = new InstancesClient(options());
  const requestId = "6f1c3c1e-0000-4000-8000-000000000002";
  const first = latest(
    await instances.insert({ project, zone, instanceResource: instanceBody("demo-worker-1"), requestId }),
  );
  const second = latest(
    await instances.insert({ project, zone, instanceResource: instanceBody("demo-worker-1"), requestId }),
  );
  expect(second.name).toBe(first.name);
  expect(fake.vms()).toHaveLength(1);
  await expect(
    instances.insert({
      project,
      zone,
      instanceResource: instanceBody("demo-worker-1"),
      requestId: "6f1c3c1e-0000-4000-8000-000000000003",
    }),
  ).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/alreadyExists/) });
});

test("list filters on labels and pages with pageToken; aggregatedList groups by zone", async () => {
  const instances = new InstancesClient(options());
  for (let i = 0; i < 7; i++) {
    const cluster = i < 5 ? "alpha" : "beta";
    await instances.insert({
      project,
      zone,
      instanceResource: instanceBody(`n-${i}`, { "cloudlaunch-cluster": cluster }),
    });
  }
  const [firstPage, nextRequest] = await instances.list(
    { project, zone, maxResults: 2, filter: 'labels.cloudlaunch-cluster = "alpha"' },
    { autoPaginate: false },
  );
  expect(firstPage).toHaveLength(2);
  expect(nextRequest?.pageToken).toBeTruthy();
  const all: string[] = [];
  for await (const inst of instances.listAsync({
    project,
    zone,
    maxResults: 2,
    filter: '(labels.cloudlaunch-cluster = "alpha")',
  }))
    all.push(inst.name!);
  expect(all.sort()).toEqual(["n-0", "n-1", "n-2", "n-3", "n-4"]);
  const scopes: Record<string, number> = {};
  for await (const [scope, list] of instances.aggregatedListAsync({
    project,
    filter: 'labels.cloudlaunch-cluster = "beta"',
    maxResults: 1,
  })) {
    scopes[scope] = (scopes[scope] ?? 0) + (list.instances?.length ?? 0);
  }
  expect(scopes[`zones/${zone}`]).toBe(2);
  await expect(instances.list({ project, zone, filter: "labels.x ~ y" })).rejects.toMatchObject({
    status: 400,
    message: expect.stringMatching(/Invalid list filter expression/),
  });
});

test("images by family, machine types per zone, firewalls", async () => {
  const [image] = await new ImagesClient(options()).getFromFamily({
    project: "ubuntu-os-cloud",
    family: "ubuntu-2404-lts-arm64",
  });
  expect(image).toMatchObject({ name: "ubuntu-2404-noble-arm64-v20250530", architecture: "ARM64" });
  const machineTypes = new MachineTypesClient(options());
  const [t] = await machineTypes.get({ project, zone, machineType: "n2-standard-2" });
  expect(t).toMatchObject({ guestCpus: 2, memoryMb: 8192 });
  // zone a offers no Arm types, as some real zones do not.
  await expect(
    machineTypes.get({ project, zone: fake.spec.zones[0], machineType: "t2a-standard-1" }),
  ).rejects.toMatchObject({ status: 404 });

  const firewalls = new FirewallsClient(options());
  const body = {
    name: "cloudlaunch-demo-dask",
    network: "global/networks/default",
    sourceRanges: ["0.0.0.0/0"],
    targetTags: ["cloudlaunch-demo"],
    allowed: [{ IPProtocol: "tcp", ports: ["22", "8786", "8787"] }],
  };
  await firewalls.insert({ project, firewallResource: body });
  const [fw] = await firewalls.get({ project, firewall: "cloudlaunch-demo-dask" });
  expect(fw.allowed).toMatchObject([{ IPProtocol: "tcp", ports: ["22", "8786", "8787"] }]);
  expect(fake.resources().find((r) => r.kind === "firewall")?.tags["cloudlaunch-cluster"]).toBe("demo");
});

test("capacity and quota faults fail the operation with the API's error codes", async () => {
  const instances = new InstancesClient(options());
  const ops = new ZoneOperationsClient(options());
  fake.inject({ kind: "capacity", zone, times: 1 });
  fake.inject({ kind: "quota", times: 1 });
  const capacity = latest(await instances.insert({ project, zone, instanceResource: instanceBody("c-1") }));
  const [failed] = await ops.wait({ project, zone, operation: capacity.name! });
  expect(failed.error?.errors?.[0]?.code).toBe("ZONE_RESOURCE_POOL_EXHAUSTED");
  expect(failed.httpErrorStatusCode).toBe(503);
  const quota = latest(await instances.insert({ project, zone, instanceResource: instanceBody("c-2") }));
  const [overQuota] = await ops.wait({ project, zone, operation: quota.name! });
  expect(overQuota.error?.errors?.[0]?.message).toMatch(/Quota 'CPUS' exceeded/);
  expect(fake.vms()).toHaveLength(0);
});

test("throttling, server errors and bad tokens answer with Google's error bodies", async () => {
  const instances = new InstancesClient(options());
  fake.inject({ kind: "throttle", action: "compute.instances.insert", times: 1 });
  // Over REST the SDK surfaces gaxios's error: the HTTP status, and the JSON error body as the message.
  const throttled = instances.insert({ project, zone, instanceResource: instanceBody("t-1") });
  await expect(throttled).rejects.toMatchObject({
    status: 429,
    message: expect.stringMatching(/"reason":"rateLimitExceeded"/),
  });
  expect(fake.calls.at(-1)).toMatchObject({ throttled: true, status: 429, mutating: true });
  fake.inject({ kind: "server-error", action: "compute.instances.list", times: 1 });
  await expect(instances.list({ project, zone })).rejects.toMatchObject({
    status: 503,
    message: expect.stringMatching(/"status":"UNAVAILABLE"/),
  });
  const [listed] = await instances.list({ project, zone });
  expect(listed).toEqual([]);

  const rejected = new InstancesClient(options(fake.badCredentialsEnv.CLOUDLAUNCH_GCP_ACCESS_TOKEN));
  await expect(rejected.list({ project, zone })).rejects.toMatchObject({
    status: 401,
    message: expect.stringMatching(/invalid authentication credentials.*"status":"UNAUTHENTICATED"/),
  });
});

test("an instance's metadata server: the Metadata-Flavor header, a token only with a service account, scopes and IAM limit it", async () => {
  const gcp = fake as FakeGcp;
  const instances = new InstancesClient(options());
  const withAccount = (scopes: string[]) => ({
    ...instanceBody(`sa-${scopes.length}`),
    serviceAccounts: [{ email: "default", scopes }],
  });
  await instances.insert({ project, zone, instanceResource: instanceBody("no-sa") });
  await instances.insert({ project, zone, instanceResource: withAccount([]) });
  await instances.insert({
    project,
    zone,
    instanceResource: withAccount(["https://www.googleapis.com/auth/compute", "x"]),
  });
  const [shown] = await instances.get({ project, zone, instance: "sa-2" });
  expect(shown.serviceAccounts?.[0]?.email).toBe(gcp.defaultServiceAccount);
  const [bare] = await instances.get({ project, zone, instance: "no-sa" });
  expect(bare.serviceAccounts ?? []).toEqual([]);
  await expect(
    instances.insert({
      project,
      zone,
      instanceResource: { ...instanceBody("two"), serviceAccounts: [{ email: "default" }, { email: "default" }] },
    }),
  ).rejects.toMatchObject({ status: 400 });

  const ask = async (name: string, key: string, flavor = true) => {
    const server = await gcp.metadataServer(name);
    try {
      const res = await fetch(`http://${server.host}/computeMetadata/v1/${key}`, {
        headers: flavor ? { "Metadata-Flavor": "Google" } : {},
      });
      return { status: res.status, text: await res.text() };
    } finally {
      await server.close();
    }
  };
  expect((await ask("no-sa", "instance/name", false)).status).toBe(403);
  expect(await ask("no-sa", "instance/zone")).toEqual({ status: 200, text: expect.stringMatching(`/zones/${zone}$`) });
  expect((await ask("no-sa", "instance/service-accounts/default/token")).status).toBe(404);

  const remove = async (name: string, token: string) => {
    const res = await fetch(`${fake.url}/compute/v1/projects/${project}/zones/${zone}/instances/${name}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: await res.json() };
  };
  const tokenOf = async (name: string) =>
    JSON.parse((await ask(name, "instance/service-accounts/default/token")).text).access_token as string;
  const noScope = await remove("sa-0", await tokenOf("sa-0"));
  expect(noScope).toMatchObject({ status: 403, body: { error: { message: /insufficient authentication scopes/ } } });
  gcp.setServiceAccountPermissions(gcp.defaultServiceAccount, []);
  const noRole = await remove("sa-2", await tokenOf("sa-2"));
  expect(noRole).toMatchObject({ status: 403, body: { error: { message: /Required 'compute.instances.delete'/ } } });
  gcp.setServiceAccountPermissions(gcp.defaultServiceAccount, ["compute.instances.delete"]);
  expect((await remove("sa-2", await tokenOf("sa-2"))).status).toBe(200);
});
