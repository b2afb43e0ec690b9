// Read-mostly account facts (zones, subnets, images, type offerings, key pairs) and the security group actions.
// Reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html,
// API_DescribeInstanceTypeOfferings.html, API_CreateSecurityGroup.html, API_AuthorizeSecurityGroupIngress.html,
// API_RevokeSecurityGroupIngress.html (rule properties must match the existing rule's exactly; in a default VPC a
// rule that does not match is no error), API_IpPermission.html (IpRanges IPv4, Ipv6Ranges IPv6).
import type { ActionContext, ActionResult } from "./actions.js";
import { applyFilters, paginate, tagFields } from "./filters.js";
import { tagsFor } from "./instances.js";
import { imageXml, securityGroupXml, subnetXml, tagSet } from "./render.js";
import { Ec2Error, filtersOf, type Params, str, strings, structs } from "./wire.js";
import { ACCOUNT_ID, CANONICAL_OWNER, type IngressRule, type SecurityGroup } from "./world.js";

export function describeAvailabilityZones(params: Params, ctx: ActionContext): ActionResult {
  const zones = [...ctx.world.subnets.values()].map((s) => ({ zoneName: s.zone, zoneId: s.zoneId }));
  const matching = applyFilters(zones, filtersOf(params), (z, name) =>
    name === "zone-name"
      ? [z.zoneName]
      : name === "zone-id"
        ? [z.zoneId]
        : name === "state"
          ? ["available"]
          : undefined,
  );
  return {
    availabilityZoneInfo: matching.map((z) => ({
      zoneName: z.zoneName,
      zoneState: "available",
      regionName: ctx.world.region,
      zoneId: z.zoneId,
      zoneType: "availability-zone",
      optInStatus: "opt-in-not-required",
    })),
  };
}

export function describeSubnets(params: Params, ctx: ActionContext): ActionResult {
  const ids = strings(params.SubnetId);
  const missing = ids.find((id) => !ctx.world.subnets.has(id));
  if (missing) throw new Ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${missing}' does not exist`);
  const chosen = ids.length ? ids.map((id) => ctx.world.subnets.get(id)!) : [...ctx.world.subnets.values()];
  const matching = applyFilters(chosen, filtersOf(params), (s, name) => {
    switch (name) {
      case "subnet-id":
        return [s.id];
      case "vpc-id":
        return [s.vpcId];
      case "availability-zone":
        return [s.zone];
      case "default-for-az":
        return ["true"];
      case "state":
        return ["available"];
      default:
        return tagFields({}, name);
    }
  });
  const { page, nextToken } = paginate(matching, params);
  return { subnetSet: page.map(subnetXml), nextToken };
}

export function describeImages(params: Params, ctx: ActionContext): ActionResult {
  const ids = strings(params.ImageId);
  const missing = ids.find((id) => !ctx.world.images.has(id));
  if (missing) throw new Ec2Error("InvalidAMIID.NotFound", `The image id '[${missing}]' does not exist`);
  const owners = strings(params.Owner).map((o) => (o === "amazon" ? CANONICAL_OWNER : o === "self" ? ACCOUNT_ID : o));
  let chosen = ids.length ? ids.map((id) => ctx.world.images.get(id)!) : [...ctx.world.images.values()];
  if (owners.length) chosen = chosen.filter((img) => owners.includes(img.ownerId));
  const matching = applyFilters(chosen, filtersOf(params), (img, name) => {
    switch (name) {
      case "name":
        return [img.name];
      case "image-id":
        return [img.id];
      case "architecture":
        return [img.architecture];
      case "owner-id":
        return [img.ownerId];
      case "state":
        return ["available"];
      case "root-device-type":
        return ["ebs"];
      case "virtualization-type":
        return ["hvm"];
      default:
        return tagFields({}, name);
    }
  });
  return { imagesSet: matching.map(imageXml) };
}

export function describeInstanceTypeOfferings(params: Params, ctx: ActionContext): ActionResult {
  const { world } = ctx;
  const locationType = str(params, "LocationType") ?? "region";
  const offerings: { type: string; location: string }[] = [];
  for (const type of world.types.keys()) {
    if (locationType === "region") offerings.push({ type, location: world.region });
    else for (const zone of world.zones) if (world.offered(type, zone)) offerings.push({ type, location: zone });
  }
  const matching = applyFilters(offerings, filtersOf(params), (o, name) =>
    name === "instance-type" ? [o.type] : name === "location" ? [o.location] : undefined,
  );
  const { page, nextToken } = paginate(matching, params);
  return {
    instanceTypeOfferingSet: page.map((o) => ({ instanceType: o.type, locationType, location: o.location })),
    nextToken,
  };
}

export function describeKeyPairs(params: Params, ctx: ActionContext): ActionResult {
  const names = strings(params.KeyName);
  const missing = names.find((n) => !ctx.world.keyPairs.has(n));
  if (missing) throw new Ec2Error("InvalidKeyPair.NotFound", `The key pair '${missing}' does not exist`);
  const chosen = [...ctx.world.keyPairs].filter(([n]) => !names.length || names.includes(n));
  return {
    keySet: chosen.map(([keyName, keyPairId]) => ({ keyPairId, keyName, keyType: "ed25519", keyFingerprint: "fake" })),
  };
}

function findGroup(ctx: ActionContext, params: Params): SecurityGroup {
  const id = str(params, "GroupId");
  const name = str(params, "GroupName");
  const group = id
    ? ctx.world.securityGroups.get(id)
    : [...ctx.world.securityGroups.values()].find((g) => g.name === name);
  if (!group) throw new Ec2Error("InvalidGroup.NotFound", `The security group '${id ?? name}' does not exist`);
  return group;
}

export function createSecurityGroup(params: Params, ctx: ActionContext): ActionResult {
  const name = str(params, "GroupName");
  const description = str(params, "GroupDescription");
  if (!name || !description)
    throw new Ec2Error("MissingParameter", "The request must contain the parameters GroupName and GroupDescription");
  const vpcId = str(params, "VpcId") ?? ctx.world.vpcId;
  if (vpcId !== ctx.world.vpcId) throw new Ec2Error("InvalidVpcID.NotFound", `The vpc ID '${vpcId}' does not exist`);
  if ([...ctx.world.securityGroups.values()].some((g) => g.name === name && g.vpcId === vpcId)) {
    throw new Ec2Error("InvalidGroup.Duplicate", `The security group '${name}' already exists for VPC '${vpcId}'`);
  }
  const group: SecurityGroup = {
    id: ctx.world.newId("sg"),
    name,
    description,
    vpcId,
    tags: tagsFor(params, "security-group"),
    ingress: [],
  };
  ctx.world.securityGroups.set(group.id, group);
  return { return: true, groupId: group.id, tagSet: tagSet(group.tags) };
}

export function describeSecurityGroups(params: Params, ctx: ActionContext): ActionResult {
  const ids = strings(params.GroupId);
  const missing = ids.find((id) => !ctx.world.securityGroups.has(id));
  if (missing) throw new Ec2Error("InvalidGroup.NotFound", `The security group '${missing}' does not exist`);
  const names = strings(params.GroupName);
  let chosen = ids.length ? ids.map((id) => ctx.world.securityGroups.get(id)!) : [...ctx.world.securityGroups.values()];
  if (names.length) chosen = chosen.filter((g) => names.includes(g.name));
  const matching = applyFilters(chosen, filtersOf(params), (g, name) => {
    switch (name) {
      case "group-id":
        return [g.id];
      case "group-name":
        return [g.name];
      case "vpc-id":
        return [g.vpcId];
      case "description":
        return [g.description];
      default:
        return tagFields(g.tags, name);
    }
  });
  const { page, nextToken } = paginate(matching, params);
  return { securityGroupInfo: page.map(securityGroupXml), nextToken };
}

/** `IpPermissions.N` expanded to one atom per (protocol, ports, source). */
function ruleAtoms(params: Params): IngressRule[] {
  const atoms: IngressRule[] = [];
  for (const p of structs(params.IpPermissions)) {
    const protocol = str(p, "IpProtocol") ?? "-1";
    const ports = protocol === "-1" ? {} : { fromPort: Number(str(p, "FromPort")), toPort: Number(str(p, "ToPort")) };
    for (const r of structs(p.IpRanges)) {
      const cidr = str(r, "CidrIp") ?? "";
      // IpRanges take IPv4 only; IPv6 goes in Ipv6Ranges.CidrIpv6 (API_IpPermission.html).
      if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(cidr))
        throw new Ec2Error("InvalidParameterValue", `CIDR block ${cidr} is malformed`);
      atoms.push({ protocol, ...ports, cidr });
    }
    for (const r of structs(p.Ipv6Ranges)) atoms.push({ protocol, ...ports, cidrV6: str(r, "CidrIpv6") });
    for (const g of structs(p.Groups)) atoms.push({ protocol, ...ports, groupId: str(g, "GroupId") });
  }
  return atoms;
}

const sameRule = (a: IngressRule, b: IngressRule) =>
  a.protocol === b.protocol &&
  a.fromPort === b.fromPort &&
  a.toPort === b.toPort &&
  a.cidr === b.cidr &&
  a.cidrV6 === b.cidrV6 &&
  a.groupId === b.groupId;

export function authorizeIngress(params: Params, ctx: ActionContext): ActionResult {
  const group = findGroup(ctx, params);
  const atoms = ruleAtoms(params);
  for (const a of atoms) {
    if (a.groupId && !ctx.world.securityGroups.has(a.groupId))
      throw new Ec2Error("InvalidGroup.NotFound", `The security group '${a.groupId}' does not exist`);
    if (group.ingress.some((r) => sameRule(r, a))) {
      const peer = a.cidr ?? a.cidrV6 ?? a.groupId;
      throw new Ec2Error(
        "InvalidPermission.Duplicate",
        `the specified rule "peer: ${peer}, ${a.protocol.toUpperCase()}, from port: ${a.fromPort}, to port: ${a.toPort}, ALLOW" already exists`,
      );
    }
  }
  group.ingress.push(...atoms);
  return {
    return: true,
    securityGroupRuleSet: atoms.map((a) => ({
      securityGroupRuleId: ctx.world.newId("sgr"),
      groupId: group.id,
      groupOwnerId: ACCOUNT_ID,
      isEgress: false,
      ipProtocol: a.protocol,
      fromPort: a.fromPort ?? -1,
      toPort: a.toPort ?? -1,
      cidrIpv4: a.cidr,
      cidrIpv6: a.cidrV6,
      referencedGroupInfo: a.groupId ? { groupId: a.groupId, userId: ACCOUNT_ID } : undefined,
    })),
  };
}

export function revokeIngress(params: Params, ctx: ActionContext): ActionResult {
  const group = findGroup(ctx, params);
  const atoms = ruleAtoms(params);
  group.ingress = group.ingress.filter((r) => !atoms.some((a) => sameRule(r, a)));
  return { return: true };
}

export function deleteSecurityGroup(params: Params, ctx: ActionContext): ActionResult {
  const group = findGroup(ctx, params);
  if (group.name === "default")
    throw new Ec2Error(
      "CannotDelete",
      `the specified group: "${group.id}" name: "default" cannot be deleted by a user`,
    );
  // Instances hold their groups until they are fully terminated, as on EC2.
  const inUse = [...ctx.world.instances.values()].some(
    (i) => i.groupIds.includes(group.id) && ctx.world.stateOf(i, ctx.now) !== "terminated",
  );
  const referenced = [...ctx.world.securityGroups.values()].some(
    (g) => g.id !== group.id && g.ingress.some((r) => r.groupId === group.id),
  );
  if (inUse || referenced) throw new Ec2Error("DependencyViolation", `resource ${group.id} has a dependent object`);
  ctx.world.securityGroups.delete(group.id);
  return { return: true, groupId: group.id };
}
