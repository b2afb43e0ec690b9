// Response shapes of the resources, with the EC2 wire names (checked against the SDK's model: `instanceState`,
// `ipAddress`, `dnsName`, `groupSet`, `tagSet`, `securityGroupInfo`, ... are the XML names, not the SDK's).
import type { XmlValue } from "./wire.js";
import {
  ACCOUNT_ID,
  STATE_CODES,
  type Ec2World,
  type Image,
  type Instance,
  type IngressRule,
  type SecurityGroup,
  type Subnet,
  type Tags,
  type Volume,
} from "./world.js";

export const tagSet = (tags: Tags): XmlValue => Object.entries(tags).map(([key, value]) => ({ key, value }));

const dnsOf = (ip: string, region: string) =>
  `ec2-${ip.replace(/\./g, "-")}.${region === "us-east-1" ? "compute-1" : `${region}.compute`}.amazonaws.com`;

export function stateXml(world: Ec2World, inst: Instance, now: number) {
  const name = world.stateOf(inst, now);
  return { code: STATE_CODES[name], name };
}

/** A MAC address of EC2's form (02:xx:…), fixed by the instance id. */
const macOf = (id: string) => `02:${(id.replace(/\D/g, "").slice(-10).padStart(10, "0").match(/../g) ?? []).join(":")}`;

// Members EC2 reports for every instance whatever its launch asked (each is listed in API_Instance, values at their
// documented defaults), so a listing weighs what a real one does: the XML, not the fake, is what a reader pays for.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Instance.html
function defaultMembersXml(inst: Instance) {
  return {
    platformDetails: "Linux/UNIX",
    usageOperation: "RunInstances",
    usageOperationUpdateTime: inst.launchTime,
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceMetadataOptionsResponse.html
    metadataOptions: {
      state: "applied",
      httpTokens: "required",
      httpPutResponseHopLimit: 2,
      httpEndpoint: "enabled",
      httpProtocolIpv6: "disabled",
      instanceMetadataTags: inst.metadataTags ? "enabled" : "disabled",
    },
    enclaveOptions: { enabled: false },
    hibernationOptions: { configured: false },
    capacityReservationSpecification: { capacityReservationPreference: "open" },
    privateDnsNameOptions: {
      hostnameType: "ip-name",
      enableResourceNameDnsARecord: false,
      enableResourceNameDnsAAAARecord: false,
    },
    maintenanceOptions: { autoRecovery: "default", rebootMigration: "default" },
    currentInstanceBootMode: "legacy-bios",
    networkPerformanceOptions: { bandwidthWeighting: "default" },
    operator: { managed: false },
  };
}

export function instanceXml(world: Ec2World, inst: Instance, now: number): XmlValue {
  const publicIp = world.publicIpOf(inst, now);
  const groups = inst.groupIds.map((groupId) => ({ groupId, groupName: world.securityGroups.get(groupId)?.name }));
  const running = world.stateOf(inst, now) !== "terminated";
  const privateDnsName = `ip-${inst.privateIp.replace(/\./g, "-")}.ec2.internal`;
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceNetworkInterfaceAssociation.html
  const association = publicIp
    ? { publicIp, publicDnsName: dnsOf(publicIp, world.region), ipOwnerId: "amazon" }
    : undefined;
  return {
    instanceId: inst.id,
    imageId: inst.imageId,
    instanceState: stateXml(world, inst, now),
    privateDnsName,
    dnsName: publicIp ? dnsOf(publicIp, world.region) : "",
    reason: "",
    // Shown once the state it explains is reached, as EC2 does for a launch that ended terminated.
    stateReason: inst.stateReason && world.stateOf(inst, now) !== "pending" ? inst.stateReason : undefined,
    keyName: inst.keyName,
    amiLaunchIndex: inst.amiLaunchIndex,
    productCodes: [],
    instanceType: inst.instanceType,
    launchTime: inst.launchTime,
    placement: { availabilityZone: inst.zone, groupName: "", tenancy: "default" },
    monitoring: { state: "disabled" },
    subnetId: running ? inst.subnetId : undefined,
    vpcId: running ? inst.vpcId : undefined,
    privateIpAddress: running ? inst.privateIp : undefined,
    ipAddress: publicIp,
    sourceDestCheck: true,
    groupSet: running ? groups : [],
    architecture: inst.architecture,
    rootDeviceType: "ebs",
    rootDeviceName: "/dev/sda1",
    blockDeviceMapping: running
      ? inst.volumeIds.map((volumeId) => ({
          deviceName: "/dev/sda1",
          ebs: { volumeId, status: "attached", attachTime: inst.launchTime, deleteOnTermination: true },
        }))
      : [],
    instanceLifecycle: inst.spot ? "spot" : undefined,
    spotInstanceRequestId: inst.spot ? inst.id.replace(/^i-/, "sir-") : undefined,
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CpuOptions.html — x86 types run 2 threads per core.
    cpuOptions: cpuOptionsOf(world.types.get(inst.instanceType)?.vcpus ?? 2, inst.architecture),
    virtualizationType: "hvm",
    clientToken: inst.clientToken ?? "",
    tagSet: tagSet(inst.tags),
    hypervisor: "xen",
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceNetworkInterface.html
    networkInterfaceSet: running
      ? [
          {
            networkInterfaceId: inst.id.replace(/^i-/, "eni-"),
            subnetId: inst.subnetId,
            vpcId: inst.vpcId,
            description: "",
            ownerId: ACCOUNT_ID,
            status: "in-use",
            macAddress: macOf(inst.id),
            privateIpAddress: inst.privateIp,
            privateDnsName,
            sourceDestCheck: true,
            groupSet: groups,
            attachment: {
              attachmentId: inst.id.replace(/^i-/, "eni-attach-"),
              deviceIndex: 0,
              status: "attached",
              attachTime: inst.launchTime,
              deleteOnTermination: true,
              networkCardIndex: 0,
            },
            association,
            privateIpAddressesSet: [{ privateIpAddress: inst.privateIp, privateDnsName, primary: true, association }],
            ipv6AddressesSet: [],
            interfaceType: "interface",
            operator: { managed: false },
          },
        ]
      : [],
    ebsOptimized: false,
    enaSupport: true,
    ...defaultMembersXml(inst),
  };
}

export function volumeXml(vol: Volume): XmlValue {
  return {
    volumeId: vol.id,
    size: vol.size,
    snapshotId: "",
    availabilityZone: vol.zone,
    status: "in-use",
    createTime: vol.createTime,
    attachmentSet: [
      {
        volumeId: vol.id,
        instanceId: vol.instanceId,
        device: "/dev/sda1",
        status: "attached",
        attachTime: vol.createTime,
        deleteOnTermination: true,
      },
    ],
    volumeType: "gp3",
    encrypted: false,
    tagSet: tagSet(vol.tags),
  };
}

export function imageXml(img: Image): XmlValue {
  return {
    imageId: img.id,
    imageLocation: `${img.ownerId}/${img.name}`,
    imageState: "available",
    imageOwnerId: img.ownerId,
    creationDate: img.creationDate,
    isPublic: true,
    architecture: img.architecture,
    imageType: "machine",
    name: img.name,
    rootDeviceType: "ebs",
    rootDeviceName: "/dev/sda1",
    blockDeviceMapping: [
      { deviceName: "/dev/sda1", ebs: { volumeSize: 8, deleteOnTermination: true, volumeType: "gp3" } },
    ],
    virtualizationType: "hvm",
    hypervisor: "xen",
    enaSupport: true,
    platformDetails: "Linux/UNIX",
  };
}

export function subnetXml(s: Subnet): XmlValue {
  return {
    subnetId: s.id,
    state: "available",
    vpcId: s.vpcId,
    cidrBlock: s.cidr,
    availableIpAddressCount: 4091 - s.hosts,
    availabilityZone: s.zone,
    availabilityZoneId: s.zoneId,
    defaultForAz: true,
    mapPublicIpOnLaunch: true,
    ownerId: ACCOUNT_ID,
  };
}

/** Rule atoms grouped back into IpPermission structures, as DescribeSecurityGroups shows them. */
function permissionsXml(rules: IngressRule[]): XmlValue {
  const byRange = new Map<string, IngressRule[]>();
  for (const r of rules) {
    const key = `${r.protocol}:${r.fromPort}:${r.toPort}`;
    byRange.set(key, [...(byRange.get(key) ?? []), r]);
  }
  return [...byRange.values()].map((group) => ({
    ipProtocol: group[0].protocol,
    fromPort: group[0].fromPort,
    toPort: group[0].toPort,
    groups: group.filter((r) => r.groupId).map((r) => ({ userId: ACCOUNT_ID, groupId: r.groupId })),
    ipRanges: group.filter((r) => r.cidr).map((r) => ({ cidrIp: r.cidr })),
    ipv6Ranges: group.filter((r) => r.cidrV6).map((r) => ({ cidrIpv6: r.cidrV6 })),
    prefixListIds: [],
  }));
}

export function securityGroupXml(g: SecurityGroup): XmlValue {
  return {
    ownerId: ACCOUNT_ID,
    groupId: g.id,
    groupName: g.name,
    groupDescription: g.description,
    vpcId: g.vpcId,
    ipPermissions: permissionsXml(g.ingress),
    ipPermissionsEgress: [
      { ipProtocol: "-1", groups: [], ipRanges: [{ cidrIp: "0.0.0.0/0" }], ipv6Ranges: [], prefixListIds: [] },
    ],
    tagSet: tagSet(g.tags),
  };
}

function cpuOptionsOf(vcpus: number, arch: string) {
  const threadsPerCore = arch === "arm64" || vcpus < 2 ? 1 : 2;
  return { coreCount: vcpus / threadsPerCore, threadsPerCore };
}
