// The GCP driver through the real SDK against the fake Compute API.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudError } from "../../src/errors";
import type { InstanceType } from "../../src/catalog/types";
import type { Plan, RoleChoice } from "../../src/plan/types";
import type { ClusterSpec } from "../../src/spec/schema";
import type { LaunchRequest, Progress, Provider } from "../../src/providers/provider";
import { createProvider } from "../../src/providers/gcp/index";
import { settingsFrom } from "../../src/settings";
import { resolved } from "../support/spec";
import { hasLocalCredentials } from "../../src/providers/gcp/credentials";
import { startFakeGcp } from "../fakes/gcp/index";
import { until } from "../support/fake-cloud";
import type { FakeCloud } from "../fakes/harness";

const type = (name: string, vcpus: number, memoryGib: number, price: number): InstanceType => ({
  type: name,
  vcpus,
  memoryGib,
  arch: "x86_64",
  accelerator: null,
  acceleratorCount: 0,
  burstable: false,
  priceHourly: price,
  spotPriceHourly: null,
});
const E2 = type("e2-standard-2", 2, 8, 0.067);
const N2D = type("n2d-standard-2", 2, 8, 0.084);

let fake: FakeCloud;
let gcp: Provider;
const notes: string[] = [];
const progress: Progress = { update: () => undefined, note: (m) => notes.push(m) };

function makePlan(cluster: string, workers: number, extra: Partial<ClusterSpec> = {}): Plan {
  const spec = resolved({
    name: cluster,
    provider: "gcp",
    region: fake.spec.region,
    gcp: fake.spec.extra.gcp as { project: string },
    scheduler: {},
    workers: { count: workers },
    network: { subnet: fake.spec.subnet, allowed_cidrs: ["203.0.113.0/24"] },
    disk_gib: 30,
    ...extra,
  } as ClusterSpec);
  const choice = (role: "scheduler" | "worker"): RoleChoice => ({
    role,
    chosen: E2,
    runnerUp: N2D,
    candidates: [E2, N2D],
    placements: [E2, N2D].map((t) => ({ type: t.type, zone: "*" })),
    spot: false,
    explicit: false,
  });
  const nodes = [
    `${cluster}-scheduler`,
    ...Array.from({ length: workers }, (_, i) => `${cluster}-worker-${String(i + 1).padStart(3, "0")}`),
  ].map((name, i) => ({
    name,
    role: i === 0 ? ("scheduler" as const) : ("worker" as const),
    action: "create" as const,
    instanceType: E2.type,
    vcpus: 2,
    memoryGib: 8,
    spot: false,
    priceHourly: E2.priceHourly,
  }));
  return {
    cluster,
    provider: "gcp",
    region: fake.spec.region,
    spec,
    scheduler: choice("scheduler"),
    workers: choice("worker"),
    nodes,
    firewall: { tcpPorts: [22, 8786, 8787], allowedCidrs: ["203.0.113.0/24"] },
    hourlyCost: { instances: 0, publicIps: 0, disks: 0, total: 0 },
    warnings: [],
  };
}

// As the apply layer renders it: the scheduler's user data names it; the workers' depends only on the type.
const requests = (plan: Plan, spot = false): LaunchRequest[] =>
  plan.nodes.map((n) => ({
    name: n.name,
    role: n.role,
    candidates: [E2, N2D],
    spot,
    userData: (t) => `#cloud-config\n# ${n.role === "scheduler" ? n.name : "worker"} ${t.type}\n`,
  }));
const calls = (action: string) => fake.calls.filter((c) => c.action === `compute.instances.${action}`);

async function rawInstance(zone: string, name: string) {
  const project = (fake.spec.extra.gcp as { project: string }).project;
  const res = await fetch(`${fake.url}/compute/v1/projects/${project}/zones/${zone}/instances/${name}`, {
    headers: { authorization: `Bearer ${fake.env.CLOUDLAUNCH_GCP_ACCESS_TOKEN}` },
  });
  return res.json();
}

beforeEach(async () => {
  fake = await startFakeGcp({ transitionMs: 40 });
  gcp = await createProvider(
    { provider: "gcp", region: fake.spec.region, gcp: fake.spec.extra.gcp as { project: string } },
    settingsFrom(fake.env),
  );
  notes.length = 0;
});
afterEach(() => fake.close());

test("launch 1 + 20, list, stop/start with new IPs, terminate leaves nothing", async () => {
  const plan = makePlan("demo", 20);
  await gcp.preflight(plan);
  await gcp.ensureNetwork(plan);
  await gcp.ensureNetwork(plan); // idempotent
  const launched = await gcp.launch(plan, requests(plan), progress);
  expect(launched).toHaveLength(21);
  expect(
    launched.every(
      (n) => n.state === "running" && n.publicIp && n.privateIp && n.zone === fake.spec.zones[0] && !n.fallback,
    ),
  ).toBe(true);

  const listed = await gcp.listNodes("demo");
  expect(listed.map((n) => n.name).sort()).toEqual(plan.nodes.map((n) => n.name).sort());
  expect(listed.find((n) => n.role === "scheduler")?.name).toBe("demo-scheduler");
  expect((await gcp.listNodes()).length).toBe(21);
  expect(fake.vms()[0].tags).toMatchObject({ "cloudlaunch-managed": "true", "cloudlaunch-cluster": "demo" });
  const raw = await rawInstance(fake.spec.zones[0], "demo-worker-001");
  expect(raw.metadata.items).toContainEqual({ key: "user-data", value: "#cloud-config\n# worker e2-standard-2\n" });
  expect(raw.disks[0]).toMatchObject({ diskSizeGb: "30", autoDelete: true });
  expect(raw.tags.items).toEqual(["cloudlaunch-demo"]);
  expect(raw.labels).toMatchObject({ "cloudlaunch-cluster": "demo", "cloudlaunch-role": "worker" });
  // The scheduler alone with insert, the 20 workers in one bulkInsert.
  expect(calls("insert")).toHaveLength(1);
  expect(calls("bulkInsert").map((c) => [c.status, c.mutating])).toEqual([[200, true]]);

  const two = listed.filter((n) => n.name === "demo-worker-001" || n.name === "demo-worker-002");
  const stopped = await gcp.stop(two, progress);
  expect(stopped.map((r) => [r.ok, r.message])).toEqual([
    [true, "stopped"],
    [true, "stopped"],
  ]);
  const afterStop = (await gcp.listNodes("demo")).filter((n) => two.some((t) => t.name === n.name));
  expect(afterStop.every((n) => n.state === "stopped" && !n.publicIp)).toBe(true);
  // One lifecycle table (src/apply/lifecycle-table.ts): already where it was asked to go is success on every cloud.
  expect((await gcp.stop(afterStop, progress))[0]).toMatchObject({ ok: true, message: "already stopped" });
  const started = await gcp.start(afterStop, progress);
  expect(started.every((r) => r.ok && r.node?.state === "running")).toBe(true);
  for (const r of started) expect(r.node?.publicIp).not.toBe(two.find((t) => t.name === r.name)?.publicIp);

  const all = await gcp.listNodes("demo");
  const terminated = await gcp.terminate(all, progress);
  expect(terminated.every((r) => r.ok)).toBe(true);
  // Gone already: terminate has nothing left to do, as on AWS and Azure (test/contract/).
  expect((await gcp.terminate([all[0]], progress))[0]).toMatchObject({ ok: true, message: "already terminated" });
  await gcp.deleteClusterResources("demo");
  await gcp.deleteClusterResources("demo"); // idempotent
  expect(await gcp.leftovers("demo")).toEqual([]);
  expect(fake.vms()).toEqual([]);
  expect(fake.resources()).toEqual([]);
});

test("capacity exhausted in the first zone falls back to another zone and says so", async () => {
  fake.inject({ kind: "capacity", zone: fake.spec.zones[0] });
  const plan = makePlan("cap", 3);
  await gcp.ensureNetwork(plan);
  const launched = await gcp.launch(plan, requests(plan), progress);
  expect(launched.every((n) => n.zone === fake.spec.zones[1] && n.state === "running")).toBe(true);
  expect(
    launched.every((n) =>
      n.fallback?.includes(`in ${fake.spec.zones[1]} instead of e2-standard-2 in ${fake.spec.zones[0]}`),
    ),
  ).toBe(true);
  expect(notes.some((n) => n.includes("no capacity"))).toBe(true);
});

test("a quota no candidate can meet is a quota CloudError naming the quota", async () => {
  fake.inject({ kind: "quota" });
  const plan = makePlan("quota", 1);
  await expect(gcp.launch(plan, requests(plan).slice(0, 1), progress)).rejects.toMatchObject({
    kind: "quota",
    message: expect.stringMatching(/Quota 'CPUS' exceeded.*iam-admin\/quotas/),
  });
});

test("a repeated or racing launch creates nothing twice: same requestIds, existing names kept; throttling is survived", async () => {
  const plan = makePlan("idem", 6);
  fake.inject({ kind: "throttle", action: "compute.instances.bulkInsert", times: 2 });
  fake.inject({ kind: "drop", action: "compute.instances.bulkInsert", times: 1 });
  fake.inject({ kind: "throttle", action: "compute.instances.aggregatedList", times: 2 });
  fake.inject({ kind: "server-error", action: "compute.zoneOperations.wait", times: 2 });
  const workers = requests(plan).slice(1);
  // Two commands launching the same workers at once (two drivers): the second bulkInsert carries the same requestId
  // and is answered with the first one's operation instead of a duplicate or a 409.
  const other = await createProvider(
    { provider: "gcp", region: fake.spec.region, gcp: fake.spec.extra.gcp as { project: string } },
    settingsFrom(fake.env),
  );
  const [first, racing] = await Promise.all([
    gcp.launch(plan, workers, progress),
    other.launch(plan, workers, progress),
  ]);
  expect(racing.map((n) => n.id).sort()).toEqual(first.map((n) => n.id).sort());
  expect(fake.vms()).toHaveLength(6);
  expect(
    calls("bulkInsert")
      .filter((c) => !c.throttled && c.status !== 0)
      .map((c) => c.status),
  ).toEqual([200, 200]);
  expect(notes.some((n) => n.includes("throttling"))).toBe(true);
  // Run again: every name exists, so nothing is sent at all.
  const before = calls("bulkInsert").length;
  const again = await gcp.launch(plan, workers, progress);
  expect(again.map((n) => n.id).sort()).toEqual(first.map((n) => n.id).sort());
  expect(calls("bulkInsert")).toHaveLength(before);
});

test("a bulk batch refused for capacity moves whole to the next zone, keeping its names; none is created twice", async () => {
  const plan = makePlan("bulkcap", 5);
  await gcp.ensureNetwork(plan);
  const workers = requests(plan).slice(1);
  // worker-002 already exists in the first zone (an interrupted run): it is kept there, not recreated elsewhere.
  await gcp.launch(plan, [workers[1]], progress);
  fake.inject({ kind: "capacity", action: "compute.instances.bulkInsert", zone: fake.spec.zones[0] });
  const launched = await gcp.launch(plan, workers, progress);
  const zoneOf = Object.fromEntries(launched.map((n) => [n.name, n.zone]));
  expect(zoneOf["bulkcap-worker-002"]).toBe(fake.spec.zones[0]);
  for (const name of ["bulkcap-worker-001", "bulkcap-worker-003", "bulkcap-worker-004", "bulkcap-worker-005"]) {
    expect(zoneOf[name]).toBe(fake.spec.zones[1]);
    expect(launched.find((n) => n.name === name)?.fallback).toContain(
      `in ${fake.spec.zones[1]} instead of e2-standard-2 in ${fake.spec.zones[0]}`,
    );
  }
  expect(notes.some((n) => n.includes(`${fake.spec.zones[0]} has no capacity`))).toBe(true);
  const names = fake.vms().map((v) => v.name);
  expect(names.sort()).toEqual(workers.map((w) => w.name).sort());
  expect(calls("bulkInsert").map((c) => c.status)).toEqual([200, 200]);
});

test("a bulk batch over quota tries the next type, then names the quota; a foreign instance of the same name is refused", async () => {
  fake.inject({ kind: "quota", action: "compute.instances.bulkInsert" });
  const plan = makePlan("bq", 3);
  await expect(gcp.launch(plan, requests(plan).slice(1), progress)).rejects.toMatchObject({
    kind: "quota",
    message: expect.stringMatching(
      /Cannot launch 3 nodes \(bq-worker-001 … bq-worker-003\): Quota 'CPUS' exceeded.*iam-admin\/quotas/,
    ),
  });
  expect(calls("bulkInsert").map((c) => c.status)).toEqual([403, 403]);
  expect(notes.some((n) => n.includes("Trying the next candidate type"))).toBe(true);
  fake.clearFaults();

  const project = (fake.spec.extra.gcp as { project: string }).project;
  const body = {
    name: "bq-worker-002",
    machineType: `zones/${fake.spec.zones[0]}/machineTypes/e2-standard-2`,
    disks: [
      {
        boot: true,
        initializeParams: { sourceImage: "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64" },
      },
    ],
    networkInterfaces: [{}],
  };
  const made = await fetch(`${fake.url}/compute/v1/projects/${project}/zones/${fake.spec.zones[0]}/instances`, {
    method: "POST",
    headers: { authorization: `Bearer ${fake.env.CLOUDLAUNCH_GCP_ACCESS_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(made.ok).toBe(true);
  await expect(gcp.launch(plan, requests(plan).slice(1), progress)).rejects.toMatchObject({
    message: expect.stringMatching(/bq-worker-002 already exists in .* not part of cluster bq/),
  });
  expect(fake.vms().map((v) => v.name)).toEqual(["bq-worker-002"]);
});

test("the spot and lifetime settings reach the instance", async () => {
  const plan = makePlan("spot", 0, { max_lifetime: "2h" });
  await gcp.launch(plan, requests(plan, true), progress);
  const raw = await rawInstance(fake.spec.zones[0], "spot-scheduler");
  expect(raw.scheduling).toMatchObject({
    provisioningModel: "SPOT",
    instanceTerminationAction: "DELETE",
    maxRunDuration: { seconds: "7200" },
  });
  expect((await gcp.listNodes("spot"))[0].spot).toBe(true);
});

describe("credentials", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test("a rejected token is an auth CloudError", async () => {
    const bad = await createProvider(
      { provider: "gcp", region: fake.spec.region, gcp: fake.spec.extra.gcp as { project: string } },
      settingsFrom(fake.badCredentialsEnv),
    );
    await expect(bad.listNodes()).rejects.toMatchObject({
      kind: "auth",
      message: expect.stringMatching(/CLOUDLAUNCH_GCP_ACCESS_TOKEN/),
    });
  });

  test("no credentials at all is an auth CloudError, without probing the metadata server", async () => {
    const home = mkdtempSync(join(tmpdir(), "gcp-home-"));
    const env = { HOME: home, METADATA_SERVER_DETECTION: "none", CLOUDLAUNCH_GCP_ENDPOINT: fake.url };
    // Application Default Credentials are google-auth-library's own chain, which reads the process's environment.
    process.env = { ...env, PATH: saved.PATH };
    expect(hasLocalCredentials(env)).toBe(false);
    const err = await createProvider(
      { provider: "gcp", region: fake.spec.region, gcp: fake.spec.extra.gcp as { project: string } },
      settingsFrom(env),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({
      kind: "auth",
      message: expect.stringMatching(/gcloud auth application-default login/),
    });
    expect(fake.calls).toEqual([]);
  });

  test("hasLocalCredentials sees the token, a key file, or gcloud's ADC file", () => {
    const home = mkdtempSync(join(tmpdir(), "gcp-home-"));
    expect(hasLocalCredentials({ CLOUDLAUNCH_GCP_ACCESS_TOKEN: "t" })).toBe(true);
    expect(hasLocalCredentials({ HOME: home })).toBe(false);
    mkdirSync(join(home, ".config", "gcloud"), { recursive: true });
    writeFileSync(join(home, ".config", "gcloud", "application_default_credentials.json"), "{}");
    expect(hasLocalCredentials({ HOME: home })).toBe(true);
  });
});

test("a launch whose node never runs gives up after CLOUDLAUNCH_GCP_WAIT_S, naming the node", async () => {
  const slow = await startFakeGcp({ transitionMs: 4000 });
  try {
    const driver = await createProvider(
      { provider: "gcp", region: slow.spec.region, gcp: slow.spec.extra.gcp as { project: string } },
      settingsFrom({ ...slow.env, CLOUDLAUNCH_GCP_WAIT_S: "0.3" }),
    );
    const plan = {
      ...makePlan("stuck", 0),
      spec: { ...makePlan("stuck", 0).spec, gcp: slow.spec.extra.gcp as { project: string } },
    };
    await driver.preflight(plan);
    const failure = driver.launch(plan, requests(plan), progress);
    await expect(failure).rejects.toThrow(/waiting for stuck-scheduler \((pending|unknown)\)/);
  } finally {
    await slow.close();
  }
});

test("a started node that never runs again is reported not started after CLOUDLAUNCH_GCP_WAIT_S, naming its state", async () => {
  const plan = makePlan("restart", 0);
  await gcp.preflight(plan);
  await gcp.ensureNetwork(plan);
  const [node] = await gcp.launch(plan, requests(plan), progress);
  const [stopped] = await gcp.stop([node], progress);
  expect(stopped.ok).toBe(true);
  fake.inject({ kind: "stuck-pending", action: "compute.instances.start" });
  // The same driver's view of the cloud, with a 1 s bound on its waits.
  const impatient = await createProvider(
    { provider: "gcp", region: fake.spec.region, gcp: fake.spec.extra.gcp as { project: string } },
    settingsFrom({ ...fake.env, CLOUDLAUNCH_GCP_WAIT_S: "1" }),
  );
  const [started] = await impatient.start(
    (await impatient.listNodes("restart")).filter((n) => n.name === node.name),
    progress,
  );
  expect(started).toMatchObject({
    name: "restart-scheduler",
    ok: false,
    message: "pending, not running with an external IP within 1 s (CLOUDLAUNCH_GCP_WAIT_S)",
  });
});

test("deleteClusterResources leaves a same-named firewall rule that cloudlaunch did not create", async () => {
  const project = (fake.spec.extra.gcp as { project: string }).project;
  const headers = {
    authorization: `Bearer ${fake.env.CLOUDLAUNCH_GCP_ACCESS_TOKEN}`,
    "content-type": "application/json",
  };
  const rule = {
    name: "cloudlaunch-theirs-dask",
    network: "global/networks/default",
    description: "the network team's rule",
    sourceRanges: ["198.51.100.0/24"],
    allowed: [{ IPProtocol: "tcp", ports: ["22"] }],
  };
  const created = await fetch(`${fake.url}/compute/v1/projects/${project}/global/firewalls`, {
    method: "POST",
    headers,
    body: JSON.stringify(rule),
  });
  expect(created.ok).toBe(true);
  expect(await until(() => fake.resources().some((r) => r.id === "cloudlaunch-theirs-dask"))).toBe(true);
  await gcp.deleteClusterResources("theirs");
  const still = await fetch(`${fake.url}/compute/v1/projects/${project}/global/firewalls/cloudlaunch-theirs-dask`, {
    headers,
  });
  expect(still.status).toBe(200);
  expect(await gcp.leftovers("theirs")).toEqual([]);
});

test("firewall rules made again after terminate exist (a fresh requestId), and a matching run changes nothing", async () => {
  const plan = makePlan("again", 1);
  const created = ["created firewall rule cloudlaunch-again-dask", "created firewall rule cloudlaunch-again-internal"];
  expect((await gcp.ensureNetwork(plan)).sort()).toEqual(created);
  const deletedAt = new Date().toISOString();
  await gcp.deleteClusterResources("again");
  expect(fake.resources().filter((r) => r.kind === "firewall")).toEqual([]);
  // A new attempt gets a new requestId, made from the time of the attempt (src/providers/gcp/network.ts).
  expect(await until(() => new Date().toISOString() !== deletedAt)).toBe(true);
  expect(await gcp.ensureNetwork(plan)).toHaveLength(2);
  expect(
    fake
      .resources()
      .filter((r) => r.kind === "firewall")
      .map((r) => r.id)
      .sort(),
  ).toEqual(["cloudlaunch-again-dask", "cloudlaunch-again-internal"]);
  const since = fake.calls.length;
  expect(await gcp.ensureNetwork(plan)).toEqual([]);
  expect(fake.calls.slice(since).filter((c) => c.mutating)).toEqual([]);
});
