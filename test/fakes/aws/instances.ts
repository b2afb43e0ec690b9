// Instance actions: RunInstances (batched, idempotent by ClientToken), DescribeInstances (filters, pagination),
// Start/Stop/TerminateInstances, CreateTags and DescribeVolumes.
// Reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html and siblings.
import type { ActionContext, ActionResult } from "./actions.js";
import { applyFilters, paginate, tagFields } from "./filters.js";
import { instanceXml, stateXml, volumeXml } from "./render.js";
import { Ec2Error, filtersOf, type Params, str, strings, struct, structs } from "./wire.js";
import { STATE_CODES, type Instance, type InstanceStateName, type Tags } from "./world.js";

export function tagsFor(params: Params, resourceType: string): Tags {
  const tags: Tags = {};
  for (const spec of structs(params.TagSpecification)) {
    if (str(spec, "ResourceType") !== resourceType) continue;
    for (const t of structs(spec.Tag)) tags[str(t, "Key") ?? ""] = str(t, "Value") ?? "";
  }
  return tags;
}

function requireInstances(ctx: ActionContext, ids: string[]): Instance[] {
  const missing = ids.filter(
    (id) => !ctx.world.instances.get(id) || !ctx.world.visible(ctx.world.instances.get(id)!, ctx.now),
  );
  if (missing.length === 1)
    throw new Ec2Error("InvalidInstanceID.NotFound", `The instance ID '${missing[0]}' does not exist`);
  if (missing.length > 1)
    throw new Ec2Error("InvalidInstanceID.NotFound", `The instance IDs '${missing.join(", ")}' do not exist`);
  return ids.map((id) => ctx.world.instances.get(id)!);
}

function reservationXml(ctx: ActionContext, instances: Instance[]) {
  return {
    reservationId: instances[0].reservationId,
    ownerId: "123456789012",
    groupSet: [],
    instancesSet: instances.map((i) => instanceXml(ctx.world, i, ctx.now)),
  };
}

export function runInstances(params: Params, ctx: ActionContext): ActionResult {
  const { world } = ctx;
  const token = str(params, "ClientToken");
  // Same token + same parameters → the original reservation; same token + other parameters → an error. EC2 keeps a
  // token for at least 24 hours, also after its instances terminated: the reply is then the terminated instances.
  // The fake never forgets one. https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html
  // ("RunInstances idempotency").
  const fingerprint = JSON.stringify({ ...params, ClientToken: undefined });
  const earlier = token ? ctx.clientTokens.get(token) : undefined;
  if (earlier) {
    if (earlier.fingerprint !== fingerprint) {
      throw new Ec2Error(
        "IdempotentParameterMismatch",
        "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).",
      );
    }
    return reservationXml(
      ctx,
      earlier.instanceIds.map((id) => world.instances.get(id)!),
    );
  }
  const imageId = str(params, "ImageId") ?? "";
  const image = world.images.get(imageId);
  if (!image) throw new Ec2Error("InvalidAMIID.NotFound", `The image id '[${imageId}]' does not exist`);
  const type = str(params, "InstanceType") ?? "m1.small";
  const typeInfo = world.types.get(type);
  if (!typeInfo) throw new Ec2Error("InvalidParameterValue", `Invalid value '${type}' for InstanceType.`);
  if (typeInfo.arch !== image.architecture) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `The architecture '${typeInfo.arch}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI.`,
    );
  }
  const min = Number(str(params, "MinCount"));
  const max = Number(str(params, "MaxCount"));
  if (!(min >= 1 && max >= min))
    throw new Ec2Error("InvalidParameterValue", "MinCount and MaxCount must be at least 1, with MinCount <= MaxCount");
  const nic = structs(params.NetworkInterface)[0];
  if (nic && str(params, "SubnetId")) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      "Network interfaces and an instance-level subnet ID may not be specified on the same request",
    );
  }
  const zoneWanted = str(struct(params, "Placement"), "AvailabilityZone");
  const subnetId = (nic && str(nic, "SubnetId")) ?? str(params, "SubnetId");
  const subnet = subnetId
    ? world.subnets.get(subnetId)
    : [...world.subnets.values()].find((s) => !zoneWanted || s.zone === zoneWanted);
  if (!subnet) throw new Ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${subnetId}' does not exist`);
  const groupIds = nic ? strings(nic.SecurityGroupId) : strings(params.SecurityGroupId);
  for (const g of groupIds) {
    if (world.securityGroups.get(g)?.vpcId !== subnet.vpcId)
      throw new Ec2Error("InvalidGroup.NotFound", `The security group '${g}' does not exist in VPC '${subnet.vpcId}'`);
  }
  const keyName = str(params, "KeyName");
  if (keyName && !world.keyPairs.has(keyName))
    throw new Ec2Error("InvalidKeyPair.NotFound", `The key pair '${keyName}' does not exist`);
  if (!world.offered(type, subnet.zone)) {
    const others = world.zones.filter((z) => world.offered(type, z));
    throw new Ec2Error(
      "Unsupported",
      `Your requested instance type (${type}) is not supported in your requested Availability Zone (${subnet.zone}). Please retry your request by not specifying an Availability Zone or choosing ${others.join(", ")}.`,
    );
  }
  if (ctx.faults.take("capacity", "RunInstances", { instanceType: type, zone: subnet.zone })) {
    throw new Ec2Error(
      "InsufficientInstanceCapacity",
      `We currently do not have sufficient ${type} capacity in the Availability Zone you requested (${subnet.zone}). Our system will be working on provisioning additional capacity.`,
      500,
    );
  }
  if (ctx.faults.take("quota", "RunInstances", { instanceType: type, zone: subnet.zone })) {
    throw new Ec2Error(
      "VcpuLimitExceeded",
      "You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.",
    );
  }
  const associate = nic ? str(nic, "AssociatePublicIpAddress") : undefined;
  const volumeSize = Number(str(struct(structs(params.BlockDeviceMapping)[0] ?? {}, "Ebs"), "VolumeSize") ?? 8);
  const reservationId = world.newId("r");
  const instanceTags = tagsFor(params, "instance");
  const volumeTags = tagsFor(params, "volume");
  const launched: Instance[] = [];
  // A launch EC2 accepts can still fail: the instance goes pending → terminated with a state reason
  // (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/troubleshooting-launch.html, "instance terminates immediately").
  const failure = ctx.faults.take("provision-failure", "RunInstances", { instanceType: type, zone: subnet.zone });
  const stuck = ctx.faults.take("stuck-pending", "RunInstances", { instanceType: type, zone: subnet.zone });
  const settleAt = ctx.now + (stuck ? (stuck.holdMs ?? Number.MAX_SAFE_INTEGER / 2) : world.options.transitionMs);
  for (let i = 0; i < max; i++) {
    const id = world.newId("i");
    const volumeId = world.newId("vol");
    const privateIp = world.nextPrivateIp(subnet);
    const inst: Instance = {
      id,
      reservationId,
      imageId,
      instanceType: type,
      architecture: image.architecture,
      zone: subnet.zone,
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      privateIp,
      // Default subnets map a public IP on launch; the interface's AssociatePublicIpAddress overrides that.
      publicIp: associate === "false" ? undefined : world.nextPublicIp({ privateIp }, ctx.publicIps),
      keyName,
      groupIds: groupIds.length ? groupIds : ["sg-0fa4e1c0ffee00001"],
      tags: { ...instanceTags },
      launchTime: new Date(ctx.now),
      amiLaunchIndex: i,
      clientToken: token,
      spot: str(struct(params, "InstanceMarketOptions"), "MarketType") === "spot",
      shutdownBehavior: str(params, "InstanceInitiatedShutdownBehavior") ?? "stop",
      userData: str(params, "UserData"),
      metadataTags: str(struct(params, "MetadataOptions"), "InstanceMetadataTags") === "enabled",
      volumeIds: [volumeId],
      transition: { from: "pending", to: failure ? "terminated" : "running", at: settleAt },
      ...(failure && {
        stateReason: { code: "Server.InternalError", message: "Server.InternalError: Internal error on launch" },
      }),
    };
    world.instances.set(id, inst);
    world.volumes.set(volumeId, {
      id: volumeId,
      size: volumeSize,
      zone: subnet.zone,
      instanceId: id,
      tags: { ...volumeTags },
      createTime: new Date(ctx.now),
    });
    launched.push(inst);
  }
  if (token) ctx.clientTokens.set(token, { fingerprint, instanceIds: launched.map((i) => i.id) });
  return reservationXml(ctx, launched);
}

const instanceFields = (ctx: ActionContext) => (inst: Instance, name: string) => {
  switch (name) {
    case "instance-id":
      return [inst.id];
    case "instance-state-name":
      return [ctx.world.stateOf(inst, ctx.now)];
    case "instance-state-code":
      return [String(stateXml(ctx.world, inst, ctx.now).code)];
    case "instance-type":
      return [inst.instanceType];
    case "availability-zone":
      return [inst.zone];
    case "vpc-id":
      return [inst.vpcId];
    case "subnet-id":
      return [inst.subnetId];
    case "image-id":
      return [inst.imageId];
    case "reservation-id":
      return [inst.reservationId];
    case "client-token":
      return [inst.clientToken];
    case "key-name":
      return [inst.keyName];
    case "private-ip-address":
      return [inst.privateIp];
    case "ip-address":
      return [ctx.world.publicIpOf(inst, ctx.now)];
    case "instance.group-id":
      return inst.groupIds;
    case "instance-lifecycle":
      return [inst.spot ? "spot" : undefined];
    default:
      return tagFields(inst.tags, name);
  }
};

export function describeInstances(params: Params, ctx: ActionContext): ActionResult {
  const ids = strings(params.InstanceId);
  if (ids.length && str(params, "MaxResults")) {
    throw new Ec2Error(
      "InvalidParameterCombination",
      "The parameter instancesSet cannot be used with the parameter maxResults",
    );
  }
  const candidates = ids.length
    ? requireInstances(ctx, ids)
    : [...ctx.world.instances.values()].filter((i) => ctx.world.visible(i, ctx.now));
  const matching = applyFilters(candidates, filtersOf(params), instanceFields(ctx));
  const { page, nextToken } = paginate(matching, params);
  const reservations = new Map<string, Instance[]>();
  for (const inst of page)
    reservations.set(inst.reservationId, [...(reservations.get(inst.reservationId) ?? []), inst]);
  return { reservationSet: [...reservations.values()].map((r) => reservationXml(ctx, r)), nextToken };
}

type Lifecycle = "start" | "stop" | "terminate";

/** What each action does from each state: the next transition, nothing (already there), or an error. */
const MOVES: Record<Lifecycle, Partial<Record<InstanceStateName, [InstanceStateName, InstanceStateName] | "noop">>> = {
  start: { stopped: ["pending", "running"], pending: "noop", running: "noop" },
  stop: { running: ["stopping", "stopped"], stopping: "noop", stopped: "noop" },
  terminate: {
    pending: ["shutting-down", "terminated"],
    running: ["shutting-down", "terminated"],
    stopping: ["shutting-down", "terminated"],
    stopped: ["shutting-down", "terminated"],
    "shutting-down": "noop",
    terminated: "noop",
  },
};

export function changeState(action: Lifecycle) {
  return (params: Params, ctx: ActionContext): ActionResult => {
    const instances = requireInstances(ctx, strings(params.InstanceId));
    const before = instances.map((i) => ctx.world.stateOf(i, ctx.now));
    instances.forEach((inst, n) => {
      if (!MOVES[action][before[n]]) {
        throw new Ec2Error(
          "IncorrectInstanceState",
          `The instance '${inst.id}' is not in a state from which it can be ${action === "stop" ? "stopped" : `${action}ed`}.`,
        );
      }
    });
    instances.forEach((inst, n) => {
      const move = MOVES[action][before[n]];
      if (move === "noop" || !move) return;
      ctx.world.transition(inst, move[0], move[1], ctx.now);
      if (action === "start") inst.publicIp = ctx.world.nextPublicIp(inst, ctx.publicIps);
      if (action === "terminate")
        inst.stateReason = {
          code: "Client.UserInitiatedShutdown",
          message: "Client.UserInitiatedShutdown: User initiated shutdown",
        };
    });
    return {
      instancesSet: instances.map((inst, n) => ({
        instanceId: inst.id,
        currentState: stateXml(ctx.world, inst, ctx.now),
        previousState: { code: STATE_CODES[before[n]], name: before[n] },
      })),
    };
  };
}

export function createTags(params: Params, ctx: ActionContext): ActionResult {
  const { world } = ctx;
  const tags = structs(params.Tag).map((t) => [str(t, "Key") ?? "", str(t, "Value") ?? ""] as const);
  for (const [k, v] of tags) {
    if (!k || k.length > 128 || v.length > 256)
      throw new Ec2Error("InvalidParameterValue", `Tag key must be 1-128 and value at most 256 characters: '${k}'`);
  }
  const targets = strings(params.ResourceId).map((id) => {
    const target = world.instances.get(id)?.tags ?? world.volumes.get(id)?.tags ?? world.securityGroups.get(id)?.tags;
    if (!target)
      throw new Ec2Error(
        id.startsWith("i-") ? "InvalidInstanceID.NotFound" : "InvalidID",
        `The ID '${id}' is not valid`,
      );
    return target;
  });
  for (const target of targets) {
    for (const [k, v] of tags) target[k] = v;
    if (Object.keys(target).length > 50)
      throw new Ec2Error("TagLimitExceeded", "The maximum number of tags per resource is 50");
  }
  return { return: true };
}

export function describeVolumes(params: Params, ctx: ActionContext): ActionResult {
  const ids = strings(params.VolumeId);
  const live = [...ctx.world.volumes.values()].filter((v) => ctx.world.volumeExists(v, ctx.now));
  const missing = ids.find((id) => !live.some((v) => v.id === id));
  if (missing) throw new Ec2Error("InvalidVolume.NotFound", `The volume '${missing}' does not exist.`);
  const chosen = ids.length ? live.filter((v) => ids.includes(v.id)) : live;
  const matching = applyFilters(chosen, filtersOf(params), (v, name) => {
    if (name === "volume-id") return [v.id];
    if (name === "status") return ["in-use"];
    if (name === "availability-zone") return [v.zone];
    if (name === "attachment.instance-id") return [v.instanceId];
    return tagFields(v.tags, name);
  });
  const { page, nextToken } = paginate(matching, params);
  return { volumeSet: page.map(volumeXml), nextToken };
}
