// What another user of the same account does and sees, through each cloud's API (not through cloudlaunch): create a
// same-named firewall resource cloudlaunch did not make, read resources back unchanged, read what a cluster's
// firewall admits. AWS through the real SDK; GCP and Azure through their REST APIs with the fake's token.
import { request } from "node:https";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { CLUSTER_TAG, OWNER_TAG, ROLE_TAG, type NodeInfo } from "../../src/providers/provider";
import type { FakeCloud } from "../fakes/harness";

export const PORTS = ["22", "8786", "8787"];

export interface CloudSide {
  /** A same-named firewall/security group/NSG (and on Azure a VNet) made by someone else, with other rules. */
  createForeign(cluster: string): Promise<void>;
  /** Those resources as the API returns them now. */
  readForeign(cluster: string): Promise<unknown>;
  /** The CIDRs the cluster's firewall admits, per port of 22/8786/8787 (sorted). */
  admitted(cluster: string): Promise<Record<string, string[]>>;
  /**
   * Where resources are named after nodes (GCP instances; Azure VMs, NICs, public IPs, disks): someone else's
   * resource holding a node's name. Returns a reader of it. Absent on AWS, where nothing is named after a node.
   */
  createForeignNodeResource?(node: string): Promise<() => Promise<unknown>>;
  /**
   * A VM carrying the cluster's tag/label and a node's name but not the ownership tag: someone else's copy (EC2, GCP,
   * made like `like`) or, on Azure, `like` itself after someone removed its ownership tag. Never cloudlaunch's.
   */
  createUnownedVm(cluster: string, name: string, like: NodeInfo): Promise<void>;
}

export function cloudSide(fake: FakeCloud): CloudSide {
  return { aws: awsSide, gcp: gcpSide, azure: azureSide }[fake.provider](fake);
}

function awsSide(fake: FakeCloud): CloudSide {
  const ec2 = () =>
    new EC2Client({
      region: fake.spec.region,
      endpoint: fake.url,
      credentials: { accessKeyId: fake.env.AWS_ACCESS_KEY_ID, secretAccessKey: fake.env.AWS_SECRET_ACCESS_KEY },
    });
  const describe = async (cluster: string) => {
    const client = ec2();
    const out = await client.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [`cloudlaunch-${cluster}`] }] }),
    );
    client.destroy();
    return out.SecurityGroups ?? [];
  };
  return {
    async createForeign(cluster) {
      const client = ec2();
      const { GroupId } = await client.send(
        new CreateSecurityGroupCommand({
          GroupName: `cloudlaunch-${cluster}`,
          Description: "the data team's bastion",
          TagSpecifications: [{ ResourceType: "security-group", Tags: [{ Key: "owner", Value: "someone-else" }] }],
        }),
      );
      await client.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId,
          IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: "10.9.0.0/16" }] }],
        }),
      );
      client.destroy();
    },
    readForeign: describe,
    async createUnownedVm(cluster, name, like) {
      const client = ec2();
      const out = await client.send(new DescribeInstancesCommand({ InstanceIds: [like.id] }));
      const model = out.Reservations?.[0]?.Instances?.[0];
      await client.send(
        new RunInstancesCommand({
          ImageId: model?.ImageId,
          InstanceType: model?.InstanceType,
          SubnetId: model?.SubnetId,
          MinCount: 1,
          MaxCount: 1,
          TagSpecifications: [
            {
              ResourceType: "instance",
              Tags: [
                { Key: "Name", Value: name },
                { Key: CLUSTER_TAG, Value: cluster },
                { Key: ROLE_TAG, Value: "worker" },
              ],
            },
          ],
        }),
      );
      client.destroy();
    },
    async admitted(cluster) {
      const [group] = await describe(cluster);
      return Object.fromEntries(
        PORTS.map((port) => [
          port,
          (group?.IpPermissions ?? [])
            .filter((p) => p.IpProtocol === "tcp" && String(p.FromPort) === port)
            .flatMap((p) => (p.IpRanges ?? []).map((r) => r.CidrIp!))
            .sort(),
        ]),
      );
    },
  };
}

function gcpSide(fake: FakeCloud): CloudSide {
  const project = (fake.spec.extra.gcp as { project: string }).project;
  const base = `${fake.url}/compute/v1/projects/${project}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      body: body ? JSON.stringify(body) : undefined,
      headers: { authorization: `Bearer ${fake.env.CLOUDLAUNCH_GCP_ACCESS_TOKEN}`, "content-type": "application/json" },
    });
    return { status: res.status, json: await res.json() };
  };
  const names = (cluster: string) => [`cloudlaunch-${cluster}-dask`, `cloudlaunch-${cluster}-internal`];
  return {
    async createForeign(cluster) {
      const subnet = await call("GET", `/regions/${fake.spec.region}/subnetworks/${fake.spec.subnet}`);
      const created = await call("POST", "/global/firewalls", {
        name: names(cluster)[0],
        network: subnet.json.network,
        description: "prod ssh, do not touch",
        sourceRanges: ["0.0.0.0/0"],
        targetTags: ["prod"],
        allowed: [{ IPProtocol: "tcp", ports: ["22"] }],
      });
      if (created.status !== 200) throw new Error(`could not create the foreign rule: ${JSON.stringify(created.json)}`);
    },
    readForeign: async (cluster) => (await call("GET", `/global/firewalls/${names(cluster)[0]}`)).json,
    async createForeignNodeResource(node) {
      const zone = fake.spec.zones[0];
      const created = await call("POST", `/zones/${zone}/instances`, {
        name: node,
        machineType: `zones/${zone}/machineTypes/e2-standard-2`,
        labels: { team: "data" },
        disks: [
          {
            boot: true,
            autoDelete: true,
            initializeParams: { sourceImage: "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64" },
          },
        ],
        networkInterfaces: [{ subnetwork: `regions/${fake.spec.region}/subnetworks/${fake.spec.subnet}` }],
      });
      if (created.status !== 200)
        throw new Error(`could not create the foreign instance: ${JSON.stringify(created.json)}`);
      return async () => {
        const { name, labels, machineType, status } = (await call("GET", `/zones/${zone}/instances/${node}`)).json;
        return {
          name,
          labels,
          machineType,
          status: status === "PROVISIONING" || status === "STAGING" ? "RUNNING" : status,
        };
      };
    },
    async createUnownedVm(cluster, name, like) {
      const created = await call("POST", `/zones/${like.zone}/instances`, {
        name,
        machineType: `zones/${like.zone}/machineTypes/${like.instanceType}`,
        labels: { [CLUSTER_TAG]: cluster, [ROLE_TAG]: "worker" },
        disks: [
          {
            boot: true,
            autoDelete: true,
            initializeParams: { sourceImage: "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64" },
          },
        ],
        networkInterfaces: [{ subnetwork: `regions/${fake.spec.region}/subnetworks/${fake.spec.subnet}` }],
      });
      if (created.status !== 200) throw new Error(`could not create the instance: ${JSON.stringify(created.json)}`);
    },
    async admitted(cluster) {
      const rule = (await call("GET", `/global/firewalls/${names(cluster)[0]}`)).json;
      const ports: string[] = (rule.allowed ?? []).flatMap((a: { ports?: string[] }) => a.ports ?? []);
      return Object.fromEntries(PORTS.map((port) => [port, ports.includes(port) ? [...rule.sourceRanges].sort() : []]));
    },
  };
}

function azureSide(fake: FakeCloud): CloudSide {
  const { resource_group: rg, subscription_id: sub } = fake.spec.extra.azure as {
    resource_group: string;
    subscription_id: string;
  };
  const group = `/subscriptions/${sub}/resourceGroups/${rg}`;
  const arm = (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; json: any }>((resolve, reject) => {
      const url = new URL(`${fake.url}${path}?api-version=2023-09-01`);
      const req = request(
        url,
        {
          method,
          ca: (fake as unknown as { caCert: string }).caCert,
          headers: {
            authorization: `Bearer ${fake.env.CLOUDLAUNCH_AZURE_ACCESS_TOKEN}`,
            "content-type": "application/json",
          },
        },
        (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
        },
      );
      req.on("error", reject);
      req.end(body ? JSON.stringify(body) : undefined);
    });
  const nsg = (cluster: string) => `${group}/providers/Microsoft.Network/networkSecurityGroups/${cluster}-nsg`;
  const vnet = (cluster: string) => `${group}/providers/Microsoft.Network/virtualNetworks/${cluster}-vnet`;
  const location = fake.spec.region;
  // provisioningState moves from Updating/Creating to Succeeded on its own: not a change anyone made.
  const settled = (v: any): any =>
    Array.isArray(v)
      ? v.map(settled)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k]) => k !== "provisioningState")
              .map(([k, x]) => [k, settled(x)]),
          )
        : v;
  const strip = (r: any) => settled({ tags: r.tags, properties: r.properties });
  return {
    async createForeign(cluster) {
      await arm("PUT", group, { location, tags: { owner: "someone-else" } });
      await arm("PUT", nsg(cluster), {
        location,
        tags: { owner: "someone-else" },
        properties: {
          securityRules: [
            {
              name: "deny-all-in",
              properties: {
                priority: 100,
                direction: "Inbound",
                access: "Deny",
                protocol: "*",
                sourceAddressPrefix: "*",
                sourcePortRange: "*",
                destinationAddressPrefix: "*",
                destinationPortRange: "*",
              },
            },
          ],
        },
      });
      await arm("PUT", vnet(cluster), {
        location,
        tags: { owner: "someone-else" },
        properties: {
          addressSpace: { addressPrefixes: ["10.9.0.0/16"] },
          subnets: [
            { name: "prod", properties: { addressPrefix: "10.9.1.0/24" } },
            { name: "db", properties: { addressPrefix: "10.9.2.0/24" } },
          ],
        },
      });
    },
    readForeign: async (cluster) => [
      strip((await arm("GET", nsg(cluster))).json),
      strip((await arm("GET", vnet(cluster))).json),
    ],
    async createForeignNodeResource(node) {
      const ip = `${group}/providers/Microsoft.Network/publicIPAddresses/${node}-ip`;
      await arm("PUT", group, { location, tags: { owner: "someone-else" } });
      await arm("PUT", ip, {
        location,
        tags: { owner: "someone-else" },
        sku: { name: "Standard" },
        properties: { publicIPAllocationMethod: "Static" },
      });
      return async () => strip((await arm("GET", ip)).json);
    },
    async createUnownedVm(_cluster, _name, like) {
      const { [OWNER_TAG]: _, ...tags } = (await arm("GET", like.id)).json.tags;
      const patched = await arm("PATCH", like.id, { tags });
      if (patched.status !== 200) throw new Error(`could not retag the VM: ${JSON.stringify(patched.json)}`);
    },
    async admitted(cluster) {
      const rules: any[] = (await arm("GET", nsg(cluster))).json?.properties?.securityRules ?? [];
      const allow = rules.filter((r) => r.properties.access === "Allow" && r.properties.direction === "Inbound");
      const list = (one?: string, many?: string[]) => [...(one ? [one] : []), ...(many ?? [])];
      return Object.fromEntries(
        PORTS.map((port) => [
          port,
          allow
            .filter((r) => list(r.properties.destinationPortRange, r.properties.destinationPortRanges).includes(port))
            .flatMap((r) => list(r.properties.sourceAddressPrefix, r.properties.sourceAddressPrefixes))
            .sort(),
        ]),
      );
    },
  };
}
