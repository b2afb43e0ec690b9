// The fake EC2 driven through the real @aws-sdk/client-ec2: if the SDK parses what the fake answers, the wire shapes
// are right; the rest checks the behaviour the driver relies on.
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  EC2Client,
  paginateDescribeInstances,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { until } from "../support/fake-cloud.js";
import { type FakeEc2, startFakeEc2 } from "./aws/index.js";

const TRANSITION_MS = 60;
let fake: FakeEc2;

function client(env = fake.env, maxAttempts = 1) {
  return new EC2Client({
    region: env.AWS_REGION,
    endpoint: fake.url,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    maxAttempts,
  });
}

async function newestNobleImage(ec2: EC2Client) {
  const { Images = [] } = await ec2.send(
    new DescribeImagesCommand({
      Owners: ["099720109477"],
      Filters: [{ Name: "name", Values: ["ubuntu/images/*/ubuntu-noble-24.04-amd64-server-*"] }],
    }),
  );
  return Images.sort((a, b) => (b.CreationDate ?? "").localeCompare(a.CreationDate ?? ""))[0];
}

async function launch(ec2: EC2Client, extra: Partial<RunInstancesCommandInput> = {}) {
  const image = await newestNobleImage(ec2);
  return ec2.send(
    new RunInstancesCommand({
      ImageId: image.ImageId,
      InstanceType: "m5.large",
      MinCount: 1,
      MaxCount: 1,
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: fake.spec.subnet, AssociatePublicIpAddress: true }],
      TagSpecifications: [
        { ResourceType: "instance", Tags: [{ Key: "cloudlaunch-cluster", Value: "c1" }] },
        { ResourceType: "volume", Tags: [{ Key: "cloudlaunch-cluster", Value: "c1" }] },
      ],
      ...extra,
    }),
  );
}

/** Until the fake holds instance `id` in `state` (or, with `null`, no longer lists it): its state, polled. */
async function reaches(id: string, state: string | null) {
  const holds = () => (fake.vms().find((v) => v.id === id)?.state ?? null) === state;
  expect(await until(holds)).toBe(true);
}

const instancesOf = async (ec2: EC2Client, ids: string[]) =>
  (await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }))).Reservations!.flatMap((r) => r.Instances!);

beforeEach(async () => {
  fake = await startFakeEc2({ transitionMs: TRANSITION_MS, rateLimits: false });
});
afterEach(() => fake.close());

test("account facts parse: subnets per zone, newest Canonical image, offerings missing in the last zone", async () => {
  const ec2 = client();
  const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({}));
  expect(Subnets.map((s) => s.AvailabilityZone)).toEqual(fake.spec.zones);
  expect(Subnets[0]).toMatchObject({
    SubnetId: fake.spec.subnet,
    DefaultForAz: true,
    VpcId: expect.stringMatching(/^vpc-/),
  });
  const image = await newestNobleImage(ec2);
  expect(image).toMatchObject({
    OwnerId: "099720109477",
    Architecture: "x86_64",
    Name: expect.stringMatching(/-20250610$/),
  });
  const missing = fake.unofferedInLastZone[0];
  const { InstanceTypeOfferings = [] } = await ec2.send(
    new DescribeInstanceTypeOfferingsCommand({
      LocationType: "availability-zone",
      Filters: [{ Name: "instance-type", Values: [missing, "m5.large"] }],
    }),
  );
  const where = (t: string) => InstanceTypeOfferings.filter((o) => o.InstanceType === t).map((o) => o.Location);
  expect(where("m5.large")).toEqual(fake.spec.zones);
  expect(where(missing)).toEqual(fake.spec.zones.slice(0, 2));
});

test("an instance goes pending → running with IPs, tags and a tagged volume, then stop/start/terminate", async () => {
  const ec2 = client();
  const run = await launch(ec2);
  const [launched] = run.Instances!;
  expect(launched).toMatchObject({
    State: { Name: "pending", Code: 0 },
    SubnetId: fake.spec.subnet,
    AmiLaunchIndex: 0,
  });
  await reaches(launched.InstanceId!, "running");
  let [inst] = await instancesOf(ec2, [launched.InstanceId!]);
  expect(inst.State?.Name).toBe("running");
  expect(inst.PrivateIpAddress).toMatch(/^172\.31\.0\./);
  const firstIp = inst.PublicIpAddress;
  expect(firstIp).toBeDefined();
  expect(inst.Tags).toEqual([{ Key: "cloudlaunch-cluster", Value: "c1" }]);
  const volumes = await ec2.send(
    new DescribeVolumesCommand({ Filters: [{ Name: "tag:cloudlaunch-cluster", Values: ["c1"] }] }),
  );
  expect(volumes.Volumes?.map((v) => v.Attachments?.[0].InstanceId)).toEqual([inst.InstanceId]);

  const stop = await ec2.send(new StopInstancesCommand({ InstanceIds: [inst.InstanceId!] }));
  expect(stop.StoppingInstances?.[0]).toMatchObject({
    PreviousState: { Name: "running" },
    CurrentState: { Name: "stopping" },
  });
  await reaches(inst.InstanceId!, "stopped");
  [inst] = await instancesOf(ec2, [inst.InstanceId!]);
  expect(inst.State?.Name).toBe("stopped");
  expect(inst.PublicIpAddress).toBeUndefined();
  await ec2.send(new StartInstancesCommand({ InstanceIds: [inst.InstanceId!] }));
  await reaches(inst.InstanceId!, "running");
  [inst] = await instancesOf(ec2, [inst.InstanceId!]);
  expect(inst.State?.Name).toBe("running");
  expect(inst.PublicIpAddress).toBeDefined();
  expect(inst.PublicIpAddress).not.toBe(firstIp);

  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [inst.InstanceId!] }));
  await reaches(inst.InstanceId!, "terminated");
  [inst] = await instancesOf(ec2, [inst.InstanceId!]);
  expect(inst.State?.Name).toBe("terminated");
  const after = await ec2.send(
    new DescribeVolumesCommand({ Filters: [{ Name: "tag:cloudlaunch-cluster", Values: ["c1"] }] }),
  );
  expect(after.Volumes).toEqual([]);
});

test("filters and MaxResults/NextToken pagination", async () => {
  const ec2 = client();
  await launch(ec2, { MinCount: 12, MaxCount: 12 });
  await launch(ec2, {
    TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "cloudlaunch-cluster", Value: "other" }] }],
  });
  const pages: number[] = [];
  const ids: string[] = [];
  const filter = {
    Filters: [
      { Name: "tag:cloudlaunch-cluster", Values: ["c1"] },
      { Name: "instance-state-name", Values: ["pending", "running"] },
    ],
  };
  for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, filter)) {
    const inPage = page.Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId!));
    pages.push(inPage.length);
    ids.push(...inPage);
  }
  expect(pages).toEqual([5, 5, 2]);
  expect(new Set(ids).size).toBe(12);
  const byKey = await ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: "tag-key", Values: ["cloudlaunch-*"] }] }),
  );
  expect(byKey.Reservations?.flatMap((r) => r.Instances!)).toHaveLength(13);
  await expect(ec2.send(new DescribeInstancesCommand({ InstanceIds: [ids[0]], MaxResults: 5 }))).rejects.toMatchObject({
    name: "InvalidParameterCombination",
  });
  await expect(ec2.send(new DescribeInstancesCommand({ InstanceIds: ["i-0000000000000dead"] }))).rejects.toMatchObject({
    name: "InvalidInstanceID.NotFound",
  });
});

test("ClientToken: same parameters → same reservation, other parameters → IdempotentParameterMismatch", async () => {
  const ec2 = client();
  const first = await launch(ec2, { ClientToken: "tok-1", MinCount: 3, MaxCount: 3 });
  const again = await launch(ec2, { ClientToken: "tok-1", MinCount: 3, MaxCount: 3 });
  expect(again.ReservationId).toBe(first.ReservationId);
  expect(again.Instances?.map((i) => i.InstanceId)).toEqual(first.Instances?.map((i) => i.InstanceId));
  expect(fake.vms()).toHaveLength(3);
  await expect(launch(ec2, { ClientToken: "tok-1", MinCount: 4, MaxCount: 4 })).rejects.toMatchObject({
    name: "IdempotentParameterMismatch",
  });
});

test("ClientToken outlives its instances: terminated and gone from DescribeInstances, the token still answers", async () => {
  await fake.close();
  fake = await startFakeEc2({ transitionMs: TRANSITION_MS, rateLimits: false, terminatedRetentionMs: 50 });
  const ec2 = client();
  const first = await launch(ec2, { ClientToken: "tok-2" });
  const id = first.Instances![0].InstanceId!;
  await reaches(id, "running");
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  await reaches(id, null);
  // No longer listed (EC2 drops terminated instances after about an hour) ...
  const listed = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-id", Values: [id] }] }));
  expect(listed.Reservations).toEqual([]);
  // ... yet the same token and parameters return the terminated instance, never a new one,
  const again = await launch(ec2, { ClientToken: "tok-2" });
  expect(again.Instances?.map((i) => [i.InstanceId, i.State?.Name])).toEqual([[id, "terminated"]]);
  // and other parameters under it are refused.
  await expect(launch(ec2, { ClientToken: "tok-2", InstanceType: "m5.xlarge" })).rejects.toMatchObject({
    name: "IdempotentParameterMismatch",
  });
});

test("a launch that fails after acceptance goes pending → terminated with its state reason", async () => {
  fake.inject({ kind: "provision-failure", times: 1 });
  const ec2 = client();
  const out = await launch(ec2);
  expect(out.Instances![0].State?.Name).toBe("pending");
  await reaches(out.Instances![0].InstanceId!, "terminated");
  const [inst] = await instancesOf(ec2, [out.Instances![0].InstanceId!]);
  expect(inst.State?.Name).toBe("terminated");
  expect(inst.StateReason).toEqual({
    Code: "Server.InternalError",
    Message: "Server.InternalError: Internal error on launch",
  });
});

test("instance metadata: IMDSv2 session, tags only when the launch allowed them, a new tag shows at once", async () => {
  const ec2 = client();
  const allowed = (await launch(ec2, { MetadataOptions: { HttpTokens: "required", InstanceMetadataTags: "enabled" } }))
    .Instances![0].InstanceId!;
  const closed = (await launch(ec2)).Instances![0].InstanceId!;
  const imds = (id: string, path: string, init: RequestInit = {}) => fetch(`${fake.imdsUrl(id)}${path}`, init);
  const session = async (id: string) =>
    (
      await imds(id, "/latest/api/token", { method: "PUT", headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" } })
    ).text();
  const tag = async (id: string, key: string, token: string) => {
    const r = await imds(id, `/latest/meta-data/tags/instance/${key}`, {
      headers: { "x-aws-ec2-metadata-token": token },
    });
    return [r.status, await r.text()];
  };
  await reaches(allowed, "running");
  expect((await imds(allowed, "/latest/api/token", { method: "PUT" })).status).toBe(400); // no TTL header
  const token = await session(allowed);
  expect(await tag(allowed, "cloudlaunch-cluster", token)).toEqual([200, "c1"]);
  expect(await tag(allowed, "cloudlaunch-cluster", "wrong")).toEqual([401, ""]);
  expect(await tag(allowed, "cloudlaunch-scheduler-ip", token)).toEqual([404, ""]);
  await ec2.send(
    new CreateTagsCommand({ Resources: [allowed], Tags: [{ Key: "cloudlaunch-scheduler-ip", Value: "172.31.0.9" }] }),
  );
  expect(await tag(allowed, "cloudlaunch-scheduler-ip", token)).toEqual([200, "172.31.0.9"]);
  // Another instance's token is no good here, and without InstanceMetadataTags there are no tags to read.
  expect(await tag(closed, "cloudlaunch-cluster", token)).toEqual([401, ""]);
  expect(await tag(closed, "cloudlaunch-cluster", await session(closed))).toEqual([404, ""]);
});

test("loopback addresses: each instance its own, private and public alike, never handed out twice", async () => {
  await fake.close();
  fake = await startFakeEc2({ transitionMs: TRANSITION_MS, rateLimits: false, loopbackAddresses: true });
  const ec2 = client();
  const ids = [(await launch(ec2)).Instances![0].InstanceId!, (await launch(ec2)).Instances![0].InstanceId!];
  for (const id of ids) await reaches(id, "running");
  const addresses = (await instancesOf(ec2, ids)).map((i) => [i.PrivateIpAddress, i.PublicIpAddress]);
  expect(addresses).toEqual([
    ["127.0.1.1", "127.0.1.1"],
    ["127.0.1.2", "127.0.1.2"],
  ]);
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[0]] }));
  const next = (await launch(ec2)).Instances![0];
  expect(next.PrivateIpAddress).toBe("127.0.1.3");
});

test("security group rules, duplicates and DependencyViolation while an instance still uses the group", async () => {
  const ec2 = client();
  const { GroupId } = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: "g1", Description: "d", VpcId: fake.world.vpcId }),
  );
  const rule = { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.10/32" }] };
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId,
      IpPermissions: [rule, { IpProtocol: "-1", UserIdGroupPairs: [{ GroupId }] }],
    }),
  );
  await expect(
    ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [rule] })),
  ).rejects.toMatchObject({
    name: "InvalidPermission.Duplicate",
  });
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["g1"] }] }),
  );
  expect(SecurityGroups[0].IpPermissions).toEqual([
    expect.objectContaining({ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.10/32" }] }),
    expect.objectContaining({ IpProtocol: "-1", UserIdGroupPairs: [expect.objectContaining({ GroupId })] }),
  ]);
  const run = await launch(ec2, {
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: fake.spec.subnet, Groups: [GroupId!] }],
  });
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [run.Instances![0].InstanceId!] }));
  await expect(ec2.send(new DeleteSecurityGroupCommand({ GroupId }))).rejects.toMatchObject({
    name: "DependencyViolation",
  });
  await reaches(run.Instances![0].InstanceId!, "terminated");
  await ec2.send(new DeleteSecurityGroupCommand({ GroupId }));
  expect(fake.resources().some((r) => r.id === GroupId)).toBe(false);
});

test("Unsupported where a type is not offered; capacity, quota and server-error faults with their statuses", async () => {
  const ec2 = client();
  const lastSubnet = [...fake.world.subnets.values()].pop()!.id;
  const image = await newestNobleImage(ec2);
  const unoffered = fake.unofferedInLastZone.find((t) => fake.world.types.get(t)?.arch === "x86_64")!;
  const nic = { DeviceIndex: 0, SubnetId: lastSubnet };
  await expect(
    launch(ec2, {
      ImageId: image.ImageId,
      InstanceType: unoffered as RunInstancesCommandInput["InstanceType"],
      NetworkInterfaces: [nic],
    }),
  ).rejects.toMatchObject({ name: "Unsupported" });

  fake.inject({ kind: "capacity", instanceType: "m5.large", zone: fake.spec.zones[0], times: 1 });
  await expect(launch(ec2)).rejects.toMatchObject({
    name: "InsufficientInstanceCapacity",
    $metadata: { httpStatusCode: 500 },
  });
  await expect(launch(ec2)).resolves.toBeDefined();
  fake.inject({ kind: "quota", times: 1 });
  await expect(launch(ec2)).rejects.toMatchObject({ name: "VcpuLimitExceeded", $metadata: { httpStatusCode: 400 } });
  fake.inject({ kind: "server-error", action: "DescribeSubnets", times: 1 });
  await expect(ec2.send(new DescribeSubnetsCommand({}))).rejects.toMatchObject({
    name: "InternalError",
    $metadata: { httpStatusCode: 500 },
  });
});

test("the SDK's retries survive a throttle, a server error and a dropped connection", async () => {
  const ec2 = client(fake.env, 4);
  fake.inject({ kind: "throttle", action: "DescribeSubnets", times: 1 });
  fake.inject({ kind: "server-error", action: "DescribeSubnets", times: 1 });
  fake.inject({ kind: "drop", action: "DescribeSubnets", times: 1 });
  const { Subnets } = await ec2.send(new DescribeSubnetsCommand({}));
  expect(Subnets).toHaveLength(3);
  const subnetCalls = fake.calls.filter((c) => c.action === "DescribeSubnets");
  expect(subnetCalls.map((c) => c.status)).toEqual([0, 503, 500, 200]);
  expect(subnetCalls.filter((c) => c.throttled)).toHaveLength(1);
});

test("documented token buckets: RunInstances allows a burst of 5 calls and 1000 instances", async () => {
  // Time stands still for the buckets, so the burst is overrun however slowly this machine sends the calls.
  const still = Date.now();
  await fake.close();
  fake = await startFakeEc2({ transitionMs: TRANSITION_MS, rateLimitClock: () => still });
  const ec2 = client();
  for (let i = 0; i < 5; i++) await launch(ec2);
  await expect(launch(ec2)).rejects.toMatchObject({ name: "RequestLimitExceeded", $metadata: { httpStatusCode: 503 } });
  await fake.close();
  fake = await startFakeEc2({ transitionMs: TRANSITION_MS, rateLimitClock: () => still });
  await expect(launch(client(), { MinCount: 1001, MaxCount: 1001 })).rejects.toMatchObject({
    name: "RequestLimitExceeded",
  });
  expect(fake.calls.at(-1)).toMatchObject({ action: "RunInstances", throttled: true });
});

test("authentication and DryRun", async () => {
  await expect(client(fake.badCredentialsEnv).send(new DescribeSubnetsCommand({}))).rejects.toMatchObject({
    name: "AuthFailure",
    $metadata: { httpStatusCode: 401 },
  });
  const image = await newestNobleImage(client());
  const dry = { ImageId: image.ImageId, DryRun: true };
  await expect(launch(client(), dry)).rejects.toMatchObject({
    name: "DryRunOperation",
    $metadata: { httpStatusCode: 412 },
  });
  await expect(launch(client(fake.readOnlyEnv), dry)).rejects.toMatchObject({
    name: "UnauthorizedOperation",
    $metadata: { httpStatusCode: 403 },
  });
  expect(fake.vms()).toEqual([]);
  expect(fake.calls.filter((c) => c.mutating)).toEqual([]);
});
