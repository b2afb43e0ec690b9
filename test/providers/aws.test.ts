// The AWS driver called directly, through the real @aws-sdk/client-ec2, against the fake EC2. The SDK finds the fake
// only through the environment (AWS_ENDPOINT_URL_EC2, keys, no metadata service), as the CLI would.
import type { InstanceType } from "../../src/catalog/types";
import { EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { typesIn } from "../../src/catalog/catalog.js";
import { CloudError } from "../../src/errors.js";
import { planCluster } from "../../src/plan/plan.js";
import type { Plan } from "../../src/plan/types.js";
import { AwsProvider } from "../../src/providers/aws/index.js";
import { Ec2Api } from "../../src/providers/aws/client.js";
import { makeBatches, runInput } from "../../src/providers/aws/launch.js";
import { ensureSecurityGroup } from "../../src/providers/aws/network.js";
import { resolveTarget } from "../../src/providers/aws/target.js";
import type { LaunchRequest, NodeInfo, Progress } from "../../src/providers/provider.js";
import type { ClusterSpec, ResolvedSpec } from "../../src/spec/schema.js";
import { settingsFrom } from "../../src/settings.js";
import { sdkConfig } from "../../src/providers/aws/sdk-config.js";
import { resolved } from "../support/spec.js";
import { type FakeEc2, startFakeEc2 } from "../fakes/aws/index.js";
import { until } from "../support/fake-cloud.js";

let fake: FakeEc2;
const providers: AwsProvider[] = [];
/** The environment the next provider() is handed through its settings (process.env is left alone). */
let env: Record<string, string> = {};

function useEnv(next: Record<string, string>) {
  env = next;
}

function provider(): AwsProvider {
  const p = new AwsProvider(fake.spec.region, settingsFrom(env, { aws: { wait: { pollMs: 20, timeoutMs: 20_000 } } }));
  providers.push(p);
  return p;
}

function recorder(): Progress & { notes: string[]; updates: string[] } {
  const notes: string[] = [];
  const updates: string[] = [];
  return { notes, updates, note: (m) => notes.push(m), update: (d, t, w) => updates.push(`${d}/${t} ${w}`) };
}

function spec(overrides: Partial<ClusterSpec> = {}): ResolvedSpec {
  return resolved({
    name: "demo",
    provider: "aws",
    region: fake.spec.region,
    scheduler: { instance_type: "m5.large" },
    workers: { count: 20, min_vcpus: 2 },
    network: { subnet: fake.spec.subnet, allowed_cidrs: ["203.0.113.10/32"] },
    ssh: { key_name: "cloudlaunch-fake" },
    tags: { project: "tests" },
    disk_gib: 30,
    max_lifetime: "8h",
    ...overrides,
  });
}

async function planFor(p: AwsProvider, s: ResolvedSpec): Promise<Plan> {
  return planCluster(s, typesIn("aws", s.region), await p.listNodes(s.name));
}

/** What src/apply does, reduced: every worker gets the same user data, so they can share RunInstances calls. */
function requestsOf(plan: Plan): { scheduler: LaunchRequest[]; workers: LaunchRequest[] } {
  const req = (role: "scheduler" | "worker") =>
    plan.nodes
      .filter((n) => n.role === role && n.action === "create")
      .map((n) => {
        const choice = role === "scheduler" ? plan.scheduler : plan.workers;
        return {
          name: n.name,
          role,
          candidates: choice.candidates,
          spot: choice.spot,
          userData: (t: InstanceType) => `#cloud-config\n# ${role} ${t.type}\n`,
        };
      });
  return { scheduler: req("scheduler"), workers: req("worker") };
}

async function up(p: AwsProvider, s: ResolvedSpec, progress = recorder()) {
  const plan = await planFor(p, s);
  await p.preflight(plan);
  await p.ensureNetwork(plan);
  const { scheduler, workers } = requestsOf(plan);
  return [...(await p.launch(plan, scheduler, progress)), ...(await p.launch(plan, workers, progress))];
}

const runCalls = () => fake.calls.filter((c) => c.action === "RunInstances" && c.status === 200).length;

beforeEach(async () => {
  fake = await startFakeEc2({ transitionMs: 40 });
  useEnv(fake.env);
});
afterEach(async () => {
  for (const p of providers.splice(0)) p.close();
  await fake.close();
});

test("up 1 + 20 workers in batches, list, stop/start with new IPs, terminate, clean up, nothing left", async () => {
  const p = provider();
  const progress = recorder();
  const launched = await up(p, spec(), progress);
  expect(launched).toHaveLength(21);
  expect(runCalls()).toBe(2);
  expect(launched.every((n) => n.state === "running" && n.publicIp && n.privateIp)).toBe(true);
  expect(progress.updates).toContain("20/20 running");
  const vms = fake.vms();
  expect(vms.map((v) => v.name).sort()).toEqual(launched.map((n) => n.name).sort());
  expect(vms[0].tags).toMatchObject({ "cloudlaunch-managed": "true", "cloudlaunch-cluster": "demo", project: "tests" });
  const [scheduler] = fake.world.instances.values();
  expect(scheduler).toMatchObject({
    keyName: "cloudlaunch-fake",
    shutdownBehavior: "terminate",
    subnetId: fake.spec.subnet,
  });
  expect(fake.world.volumes.get(scheduler.volumeIds[0])).toMatchObject({
    size: 30,
    tags: expect.objectContaining({ Name: "demo-scheduler" }),
  });
  const group = [...fake.world.securityGroups.values()].find((g) => g.tags["cloudlaunch-cluster"] === "demo")!;
  expect(group.ingress).toHaveLength(4);
  expect(scheduler.groupIds).toEqual([group.id]);

  const nodes = await p.listNodes("demo");
  expect(nodes.map((n) => n.name)).toEqual([
    "demo-scheduler",
    ...Array.from({ length: 20 }, (_, i) => `demo-worker-${String(i + 1).padStart(3, "0")}`),
  ]);
  expect((await p.listNodes()).length).toBe(21);

  const [w1, w2] = nodes.filter((n) => n.role === "worker");
  const ghost: NodeInfo = { ...w1, name: "demo-worker-999", id: "i-0000000000000dead" };
  const stopped = await p.stop([w1, w2, ghost], recorder());
  expect(stopped.map((r) => [r.name, r.ok, r.message])).toEqual([
    [w1.name, true, "stopped"],
    [w2.name, true, "stopped"],
    ["demo-worker-999", false, "not found"],
  ]);
  expect(stopped[0].node?.publicIp).toBeUndefined();
  expect((await p.stop([w1], recorder()))[0].message).toBe("already stopped");
  const started = await p.start([w1, w2], recorder());
  expect(started.every((r) => r.ok && r.node?.state === "running")).toBe(true);
  expect(started[0].node?.publicIp).toBeDefined();
  expect(started[0].node?.publicIp).not.toBe(w1.publicIp);

  const terminated = await p.terminate(nodes, recorder());
  expect(terminated.every((r) => r.ok && r.node?.state === "terminated")).toBe(true);
  expect((await p.start([w1], recorder()))[0]).toMatchObject({
    ok: false,
    message: expect.stringContaining("terminated"),
  });
  await p.deleteClusterResources("demo");
  expect(await p.leftovers("demo")).toEqual([]);
  expect(fake.resources().filter((r) => r.tags["cloudlaunch-cluster"] === "demo")).toEqual([]);
});

test("a repeated launch of the same nodes returns the same instances (ClientToken), not duplicates", async () => {
  const s = spec({ workers: { count: 5, min_vcpus: 2 } });
  const p = provider();
  const plan = await planFor(p, s);
  await p.preflight(plan);
  const first = await p.launch(plan, requestsOf(plan).workers, recorder());
  const again = await provider().launch(plan, requestsOf(plan).workers, recorder());
  expect(again.map((n) => n.id)).toEqual(first.map((n) => n.id));
  expect(fake.vms()).toHaveLength(5);
});

test("after a crash between RunInstances and the Name tags, instances are still listed under their node names", async () => {
  const s = spec({ workers: { count: 12, min_vcpus: 2 } });
  const p = provider();
  const plan = await planFor(p, s);
  // Exactly the driver's RunInstances call, and then nothing: the process "died".
  const api = new Ec2Api(s.region, settingsFrom(env));
  const target = await resolveTarget(api, plan);
  const { groupId } = await ensureSecurityGroup(api, plan, target.vpcId);
  const [batch] = makeBatches(requestsOf(plan).workers);
  const ctx = {
    api,
    plan,
    target,
    groupId,
    wait: { pollMs: 20, timeoutMs: 5000 },
    exhausted: new Set<string>(),
    nameEach: true,
  };
  await new EC2Client({ region: s.region, ...sdkConfig(env, "EC2") }).send(
    new RunInstancesCommand(runInput(ctx, batch, plan.workers.chosen.type, target.subnets[0].id)),
  );
  api.destroy();
  expect(fake.vms().every((v) => !v.tags.Name)).toBe(true);

  const listed = await p.listNodes("demo");
  expect(listed.map((n) => n.name)).toEqual(batch.requests.map((r) => r.name));
  const replanned = await planFor(p, s);
  expect(replanned.nodes.filter((n) => n.action === "create").map((n) => n.name)).toEqual(["demo-scheduler"]);
});

test("capacity fallback in the plan's order: the same type in another zone, then the next type; and a type the zone does not offer", async () => {
  // Each failed placement is a RunInstances call; without the fake's buckets the SDK need not back off between them.
  await fake.close();
  fake = await startFakeEc2({ transitionMs: 40, rateLimits: false });
  useEnv(fake.env);
  const noSubnet = { allowed_cidrs: ["203.0.113.10/32"] };
  const [zoneA, zoneB, zoneC] = fake.spec.zones;
  let p = provider();
  let plan = await planFor(p, spec({ network: noSubnet, workers: { count: 3, min_vcpus: 2 } }));
  // Type-major (src/plan/choose.ts): no capacity for the cheapest type in zone A → the same type in zone B.
  fake.inject({ kind: "capacity", instanceType: plan.workers.candidates[0].type, zone: zoneA });
  let workers = await p.launch(plan, requestsOf(plan).workers, recorder());
  expect(
    workers.every((n) => n.instanceType === plan.workers.candidates[0].type && n.zone === zoneB && n.fallback),
  ).toBe(true);
  // No capacity for it anywhere → the next type, in the first zone.
  fake.clearFaults();
  fake.inject({ kind: "capacity", instanceType: plan.workers.candidates[0].type });
  p = provider();
  plan = await planFor(p, spec({ name: "next", network: noSubnet, workers: { count: 3, min_vcpus: 2 } }));
  let progress = recorder();
  workers = await p.launch(plan, requestsOf(plan).workers, progress);
  expect(
    workers.every((n) => n.instanceType === plan.workers.candidates[1].type && n.zone === zoneA && n.fallback),
  ).toBe(true);
  expect(progress.notes.join("\n")).toContain("InsufficientInstanceCapacity");
  // The user data is rendered for the type actually launched (Dask sizes itself from it).
  const launchedUserData = Buffer.from(fake.world.instances.get(workers[0].id)!.userData!, "base64").toString();
  expect(launchedUserData).toContain(plan.workers.candidates[1].type);

  fake.clearFaults();
  fake.inject({ kind: "capacity", zone: zoneA });
  p = provider();
  plan = await planFor(p, spec({ name: "other", network: noSubnet, workers: { count: 2, min_vcpus: 2 } }));
  workers = await p.launch(plan, requestsOf(plan).workers, recorder());
  expect(workers.map((n) => n.zone)).toEqual([zoneB, zoneB]);

  fake.clearFaults();
  p = provider();
  plan = await planFor(p, spec({ name: "third", zone: zoneC, network: noSubnet, workers: { count: 2, min_vcpus: 2 } }));
  expect(fake.unofferedInLastZone).toContain(plan.workers.chosen.type);
  progress = recorder();
  workers = await p.launch(plan, requestsOf(plan).workers, progress);
  expect(workers.every((n) => n.zone === zoneC && !fake.unofferedInLastZone.includes(n.instanceType))).toBe(true);
  expect(progress.notes.join("\n")).toContain(`${plan.workers.chosen.type} is not offered in ${zoneC}`);
});

test("throttling is survived through the SDK's retries", async () => {
  fake.inject({ kind: "throttle", action: "RunInstances", times: 1 });
  fake.inject({ kind: "throttle", action: "DescribeInstances", times: 1 });
  const launched = await up(provider(), spec({ workers: { count: 3, min_vcpus: 2 } }));
  expect(launched).toHaveLength(4);
  expect(fake.calls.filter((c) => c.throttled).length).toBe(2);
});

test("checkMutation asks EC2 with DryRun: allowed, or a permission error naming the action; nothing changes", async () => {
  const s = spec({ workers: { count: 2, min_vcpus: 2 } });
  let p = provider();
  let plan = await planFor(p, s);
  await p.preflight(plan);
  const { workers } = requestsOf(plan);
  await expect(p.checkMutation({ kind: "ensureNetwork", cluster: "demo" })).resolves.toBeUndefined();
  await expect(p.checkMutation({ kind: "launch", cluster: plan.cluster, requests: workers })).resolves.toBeUndefined();

  useEnv(fake.readOnlyEnv);
  p = provider();
  plan = await planFor(p, s);
  await p.preflight(plan);
  const err = await p.checkMutation({ kind: "launch", cluster: plan.cluster, requests: workers }).catch((e) => e);
  expect(err).toBeInstanceOf(CloudError);
  expect(err).toMatchObject({ kind: "permission", message: expect.stringContaining("ec2:RunInstances") });
  expect(fake.calls.some((c) => c.mutating)).toBe(false);
  expect(fake.vms()).toEqual([]);
});

test("no credentials, or credentials EC2 rejects, are auth errors that say how to configure them", async () => {
  const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...keyless } = fake.env;
  useEnv(keyless);
  let p = provider();
  const plan = planCluster(spec(), typesIn("aws", fake.spec.region), []);
  // Without keys the SDK's own chain (profiles, SSO, instance roles) runs, and it reads the process's environment:
  // pointed at no files and no instance metadata for this one call.
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith("AWS_")) delete process.env[k];
  Object.assign(process.env, keyless);
  const missing = await p.preflight(plan).catch((e) => e);
  process.env = saved;
  expect(missing).toMatchObject({ kind: "auth", message: expect.stringContaining("aws configure") });
  expect(missing.message).toContain("aws sso login");

  useEnv(fake.badCredentialsEnv);
  p = provider();
  await expect(p.listNodes()).rejects.toMatchObject({ kind: "auth", code: "AuthFailure" });
});

test("terminate counts an instance EC2 stopped listing before the wait saw it terminated as terminated", async () => {
  // EC2 lists a terminated instance for about an hour; a slow poll (or a shorter retention) can miss the state.
  await fake.close();
  fake = await startFakeEc2({ transitionMs: 40, terminatedRetentionMs: 0 });
  useEnv(fake.env);
  const p = provider();
  const [node] = await up(p, spec({ name: "drop", workers: { count: 0 } }));
  const [result] = await p.terminate([node], recorder());
  expect(result).toMatchObject({ ok: true, message: "terminated", node: { id: node.id, state: "terminated" } });
});

test("a name whose VM is gone from the listing but whose token EC2 still keeps gets a new VM, not the terminated one", async () => {
  // EC2 stops listing a terminated instance after about an hour but keeps its ClientToken for a day: the observed
  // attempt is then 0 again, whose token answers with the terminated instance (same parameters) or a mismatch.
  await fake.close();
  fake = await startFakeEc2({ transitionMs: 40, terminatedRetentionMs: 50 });
  useEnv(fake.env);
  const p = provider();
  const s = spec({ name: "walk", workers: { count: 0 } });
  const [first] = await up(p, s);
  expect((await p.terminate([first], recorder()))[0].ok).toBe(true);
  // Gone from the listing once the fake's retention (50 ms) passes.
  expect(await until(async () => (await p.listNodes("walk")).length === 0)).toBe(true);
  const [again] = await up(p, s); // the same parameters: the old token would return the terminated instance
  expect(again.id).not.toBe(first.id);
  expect(again.state).toBe("running");
  expect(fake.vms().filter((v) => v.cluster === "walk" && v.state === "running")).toHaveLength(1);
});
