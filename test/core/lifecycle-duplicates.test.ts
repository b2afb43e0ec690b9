// Two VMs reporting the same node name (a crash, a hand-made copy, a tag edited in the console) are both listed and
// both acted on: stop/terminate never skip one. The AWS driver through the real SDK against the fake EC2.
import { EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { runLifecycle } from "../../src/apply/lifecycle";
import { AwsProvider } from "../../src/providers/aws/index";
import { CLUSTER_TAG, NODE_TAG, OWNER_TAG, ROLE_TAG } from "../../src/providers/provider";
import { sdkConfig } from "../../src/providers/aws/sdk-config";
import { settingsFrom } from "../../src/settings";
import { type FakeEc2, startFakeEc2 } from "../fakes/aws/index";
import { until } from "../support/fake-cloud";

let fake: FakeEc2;
const progress = { update: () => undefined, note: () => undefined };

beforeAll(async () => {
  fake = await startFakeEc2({ transitionMs: 30 });
});
afterAll(async () => {
  await fake.close();
});

async function launchTwin(name: string, count: number) {
  const ec2 = new EC2Client({ region: fake.spec.region, ...sdkConfig(fake.env, "EC2") });
  const tags = { [OWNER_TAG]: "true", [CLUSTER_TAG]: "twins", [ROLE_TAG]: "worker", [NODE_TAG]: name, Name: name };
  await ec2.send(
    new RunInstancesCommand({
      ImageId: [...fake.world.images.values()].find((i) => i.architecture === "x86_64")!.id,
      InstanceType: [...fake.world.types.values()].find((t) => t.arch === "x86_64")!.type as never,
      MinCount: count,
      MaxCount: count,
      TagSpecifications: [
        { ResourceType: "instance", Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      ],
    }),
  );
  ec2.destroy();
}

test("two live VMs named twins-worker-001 are both listed, both stopped by name and both terminated", async () => {
  await launchTwin("twins-worker-001", 2);
  await launchTwin("twins-worker-002", 1);
  const aws = new AwsProvider(
    fake.spec.region,
    settingsFrom(fake.env, { aws: { wait: { pollMs: 20, timeoutMs: 20_000 } } }),
  );
  try {
    const twins = () => fake.vms().filter((v) => v.cluster === "twins");
    expect(await until(() => twins().length === 3 && twins().every((v) => v.state === "running"))).toBe(true);
    expect((await aws.listNodes("twins")).filter((n) => n.name === "twins-worker-001")).toHaveLength(2);
    const stopped = await runLifecycle("stop", aws, "twins", ["worker-001"], progress);
    expect(stopped).toHaveLength(2);
    expect(stopped.every((r) => r.ok && r.name === "twins-worker-001")).toBe(true);
    const terminated = await runLifecycle("terminate", aws, "twins", [], progress);
    expect(terminated.filter((r) => r.ok)).toHaveLength(3);
    expect(
      fake.vms().filter((v) => v.cluster === "twins" && v.state !== "terminated" && v.state !== "shutting-down"),
    ).toEqual([]);
  } finally {
    aws.close();
  }
});
