// listNodes reads DescribeInstances' XML itself, only the members a node needs (src/providers/aws/node-fields.ts):
// its nodes must equal those the SDK's own full deserialization gives (describeOwned → toNodeInfo) for the same
// instances — names from node tags and from batch tags, tags with XML entities, public and private IPs, spot,
// running, stopped and terminated with a state reason — over several pages, through a throttled attempt, and an
// error response must still come out as the SDK maps it. Through the real SDK against the fake EC2.
import {
  type EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { Ec2Api } from "../../src/providers/aws/client.js";
import { describeOwned, listNodes, toNodeInfo } from "../../src/providers/aws/nodes.js";
import { launchTags, tagList } from "../../src/providers/aws/tags.js";
import type { NodeInfo } from "../../src/providers/provider.js";
import { settingsFrom } from "../../src/settings.js";
import { type FakeEc2, startFakeEc2 } from "../fakes/aws/index.js";
import { until } from "../support/fake-cloud.js";

let fake: FakeEc2;
const apis: Ec2Api[] = [];

function api(env = fake.env): Ec2Api {
  const a = new Ec2Api(fake.spec.region, settingsFrom(env));
  apis.push(a);
  return a;
}

async function launch(ec2: EC2Client, tags: Record<string, string>, count: number, spot = false): Promise<string[]> {
  const image = [...fake.world.images.values()].find((i) => i.architecture === "x86_64")!;
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: image.id,
      InstanceType: "m5.large",
      MinCount: count,
      MaxCount: count,
      SubnetId: fake.spec.subnet,
      ...(spot && { InstanceMarketOptions: { MarketType: "spot" } }),
      TagSpecifications: [{ ResourceType: "instance", Tags: tagList(tags) }],
    }),
  );
  return out.Instances!.map((i) => i.InstanceId!);
}

/** What the SDK's full deserialization of every instance gives, in listNodes' order. */
async function viaSdk(a: Ec2Api, cluster?: string): Promise<NodeInfo[]> {
  const nodes = (await describeOwned(a, cluster)).map(toNodeInfo).filter((n): n is NodeInfo => !!n);
  const byNumber = new Intl.Collator("en", { numeric: true });
  return nodes.sort((x, y) => x.cluster.localeCompare(y.cluster) || byNumber.compare(x.name, y.name));
}

beforeAll(async () => {
  fake = await startFakeEc2({ transitionMs: 40, rateLimits: false });
  const ec2 = api().clientFor("RunInstances");
  const user = { project: `a&b <"c"> 'd'` };
  const scheduler = await launch(ec2, launchTags("fields", "scheduler", ["fields-scheduler"], user), 1);
  const workers = Array.from({ length: 12 }, (_, i) => `fields-worker-${String(i + 1).padStart(2, "0")}`);
  // A batch whose instances are not named one by one: the name comes from the batch tag and AmiLaunchIndex.
  const batch = await launch(ec2, launchTags("fields", "worker", workers, user, false), workers.length, true);
  await launch(ec2, launchTags("other", "scheduler", ["other-scheduler"]), 1);
  fake.inject({ kind: "provision-failure", action: "RunInstances", times: 1 });
  await launch(ec2, launchTags("fields", "worker", ["fields-worker-13"], user), 1);
  const running = (id: string) => fake.world.stateOf(fake.world.instances.get(id)!, Date.now()) === "running";
  expect(await until(() => [...scheduler, ...batch].every(running))).toBe(true);
  await ec2.send(new StopInstancesCommand({ InstanceIds: [batch[0]] }));
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [batch[1]] }));
  const settled = (id: string) =>
    ["stopped", "terminated"].includes(fake.world.stateOf(fake.world.instances.get(id)!, Date.now()));
  expect(await until(() => settled(batch[0]) && settled(batch[1]))).toBe(true);
  expect(await until(() => fake.vms().every((vm) => vm.state !== "pending"))).toBe(true);
});

afterAll(async () => {
  for (const a of apis) a.destroy();
  await fake.close();
});

test("listNodes reads the same nodes as the SDK's full deserialization, over pages of 5", async () => {
  const a = api();
  const before = fake.calls.length;
  const nodes = await listNodes(a, "fields", 5);
  const pages = fake.calls.slice(before).filter((c) => c.action === "DescribeInstances").length;
  expect(pages).toBe(3); // 14 instances of the cluster
  expect(nodes).toEqual(await viaSdk(a, "fields"));
  expect(nodes.map((n) => n.state).sort()).toEqual([
    ...Array(11).fill("running"),
    "stopped",
    "terminated",
    "terminated",
  ]);
  expect(nodes.find((n) => n.name === "fields-worker-13")).toMatchObject({
    state: "terminated",
    reason: expect.any(String),
  });
  expect(nodes.find((n) => n.name === "fields-worker-03")).toMatchObject({
    spot: true,
    publicIp: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
    privateIp: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
  });
});

test("every cluster at once, one page of up to 1000, equals the SDK's reading", async () => {
  const a = api();
  const nodes = await listNodes(a);
  expect(nodes).toEqual(await viaSdk(a));
  expect(new Set(nodes.map((n) => n.cluster))).toEqual(new Set(["fields", "other"]));
});

test("a throttled page is retried by the SDK and read once it succeeds", async () => {
  const a = api();
  fake.inject({ kind: "throttle", action: "DescribeInstances", times: 1 });
  expect(await listNodes(a, "fields", 5)).toEqual(await viaSdk(a, "fields"));
});

test("an error response is mapped by the SDK as before", async () => {
  await expect(listNodes(api(fake.badCredentialsEnv), "fields")).rejects.toMatchObject({
    kind: "auth",
    code: "AuthFailure",
  });
});
