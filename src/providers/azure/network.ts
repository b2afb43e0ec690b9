// The cluster's surroundings: resource group (created if missing and marked as cloudlaunch's), the subnet (the
// spec's, or a VNet+subnet made for the cluster), one NSG per cluster; and their teardown, which touches only what
// carries the cluster's tags and deletes the group only if cloudlaunch created it and nothing else is left in it.
import type { SecurityRule } from "@azure/arm-network";
import type { ClusterSpec } from "../../spec/schema.js";
import { foreignResource, ownedBy } from "../ownership.js";
import { CloudError } from "../../errors.js";
import { CLUSTER_TAG, OWNER_TAG } from "../provider.js";
import type { AzureClients } from "./clients.js";
import { isNotFound, toCloudError } from "./errors.js";
import { clusterTags, CREATED_TAG, names } from "./vm-spec.js";

const CLUSTER_ADDRESS_SPACE = "10.42.0.0/16";

export function requireGroup(c: AzureClients): string {
  const rg = c.settings.resourceGroup;
  if (!rg) throw new CloudError("Azure needs a resource group: set azure.resource_group in the spec.", "invalid");
  return rg;
}

const resourceId = (c: AzureClients, rg: string, type: string, name: string) =>
  `/subscriptions/${c.settings.subscriptionId}/resourceGroups/${rg}/providers/${type}/${name}`;

export const nsgId = (c: AzureClients, cluster: string) => resourceId(c, requireGroup(c), "Microsoft.Network/networkSecurityGroups", names.nsg(cluster));

export function subnetId(c: AzureClients, spec: ClusterSpec, cluster: string): string {
  return spec.network?.subnet || `${resourceId(c, requireGroup(c), "Microsoft.Network/virtualNetworks", names.vnet(cluster))}/subnets/${names.subnet}`;
}

export async function groupExists(c: AzureClients): Promise<boolean> {
  const rg = requireGroup(c);
  try {
    await c.resources.resourceGroups.get(rg);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw toCloudError(err, `reading resource group ${rg}`);
  }
}

/** Read-only check of a spec-given subnet (a resource id): it must exist. */
export async function checkSubnet(c: AzureClients, spec: ClusterSpec): Promise<void> {
  const id = spec.network?.subnet;
  if (!id) return;
  const m = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i.exec(id);
  if (!m) throw new CloudError(`network.subnet must be a subnet resource id (/subscriptions/.../virtualNetworks/<vnet>/subnets/<subnet>), not '${id}'.`, "invalid");
  try {
    await c.network.subnets.get(m[1], m[2], m[3]);
  } catch (err) {
    throw toCloudError(err, `reading subnet ${id}`);
  }
}

/** The cluster's NSG and VNet as they are (undefined = missing), refusing same-named ones that are not ours. */
export async function observeNetwork(c: AzureClients, spec: ClusterSpec, cluster: string) {
  const rg = requireGroup(c);
  if (!(await groupExists(c))) return { group: false, nsg: undefined, vnet: undefined };
  try {
    const nsg = await c.network.networkSecurityGroups.get(rg, names.nsg(cluster)).catch(ignoreNotFound);
    if (nsg && !ownedBy(nsg.tags, cluster)) throw foreignResource(`Network security group ${names.nsg(cluster)} in resource group ${rg}`, cluster);
    const vnet = spec.network?.subnet ? undefined : await c.network.virtualNetworks.get(rg, names.vnet(cluster)).catch(ignoreNotFound);
    if (vnet && !ownedBy(vnet.tags, cluster)) throw foreignResource(`Virtual network ${names.vnet(cluster)} in resource group ${rg}`, cluster);
    return { group: true, nsg, vnet };
  } catch (err) {
    throw toCloudError(err, `reading the network of cluster ${cluster} in resource group ${rg}`);
  }
}

/** The NSG's two rules, by name, as the plan wants them. */
export function wantedRules(firewall: { tcpPorts: number[]; allowedCidrs: string[] }): SecurityRule[] {
  return [
    {
      name: "cloudlaunch-ssh-dask", priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp",
      sourceAddressPrefixes: firewall.allowedCidrs, sourcePortRange: "*",
      destinationAddressPrefix: "*", destinationPortRanges: firewall.tcpPorts.map(String),
    },
    {
      // Also in the NSG's default rules (AllowVnetInBound); stated so the cluster's traffic survives edits to them.
      name: "cloudlaunch-vnet-internal", priority: 110, direction: "Inbound", access: "Allow", protocol: "*",
      sourceAddressPrefix: "VirtualNetwork", sourcePortRange: "*", destinationAddressPrefix: "VirtualNetwork", destinationPortRange: "*",
    },
  ];
}

// Azure returns a single prefix either as `...Prefix` or as a one-element `...Prefixes`, so compare the union.
const both = (one?: string, many?: string[]) => [...(one ? [one] : []), ...(many ?? [])].sort().join(",");
const ruleShape = (r: SecurityRule) =>
  JSON.stringify([
    r.priority, r.direction, r.access, r.protocol, both(r.sourceAddressPrefix, r.sourceAddressPrefixes),
    both(r.sourcePortRange, r.sourcePortRanges), both(r.destinationAddressPrefix, r.destinationAddressPrefixes),
    both(r.destinationPortRange, r.destinationPortRanges),
  ]);

/**
 * Converges the cluster's surroundings and returns what it changed. A missing resource is created whole; an
 * existing one of ours is updated only where it differs: one security rule at a time (Security Rules - Create Or
 * Update: https://learn.microsoft.com/rest/api/virtualnetwork/security-rules/create-or-update), the subnet alone.
 * The VNet and NSG are never PUT again once they exist, so later edits elsewhere in them survive.
 */
export async function ensureNetwork(c: AzureClients, spec: ClusterSpec, cluster: string, firewall: { tcpPorts: number[]; allowedCidrs: string[] }): Promise<string[]> {
  const rg = requireGroup(c);
  const poll = { updateIntervalInMs: c.settings.pollIntervalMs };
  const location = c.settings.location;
  const tags = clusterTags(spec, cluster);
  const changes: string[] = [];
  const seen = await observeNetwork(c, spec, cluster);
  try {
    if (!seen.group) {
      // The group is shared by clusters, so it carries the owner and "created" marks but no cluster tag.
      const { [CLUSTER_TAG]: _, ...groupTags } = tags;
      await c.resources.resourceGroups.createOrUpdate(rg, { location, tags: { ...groupTags, [CREATED_TAG]: "true" } });
      changes.push(`created resource group ${rg}`);
    }
    if (!spec.network?.subnet && !seen.vnet) {
      await c.network.virtualNetworks.beginCreateOrUpdateAndWait(rg, names.vnet(cluster), {
        location, tags,
        addressSpace: { addressPrefixes: [CLUSTER_ADDRESS_SPACE] },
        subnets: [{ name: names.subnet, addressPrefix: CLUSTER_ADDRESS_SPACE }],
      }, poll);
      changes.push(`created virtual network ${names.vnet(cluster)}`);
    } else if (seen.vnet && !seen.vnet.subnets?.some((sub) => sub.name === names.subnet)) {
      await c.network.subnets.beginCreateOrUpdateAndWait(rg, names.vnet(cluster), names.subnet, { addressPrefix: CLUSTER_ADDRESS_SPACE }, poll);
      changes.push(`restored subnet ${names.subnet} of ${names.vnet(cluster)}`);
    }
    const wanted = wantedRules(firewall);
    if (!seen.nsg) {
      await c.network.networkSecurityGroups.beginCreateOrUpdateAndWait(rg, names.nsg(cluster), { location, tags, securityRules: wanted }, poll);
      changes.push(`created network security group ${names.nsg(cluster)}`);
      return changes;
    }
    const have = new Map((seen.nsg.securityRules ?? []).map((r) => [r.name ?? "", r]));
    for (const rule of wanted) {
      const current = have.get(rule.name!);
      if (current && ruleShape(current) === ruleShape(rule)) continue;
      const { name, ...body } = rule;
      await c.network.securityRules.beginCreateOrUpdateAndWait(rg, names.nsg(cluster), name!, body, poll);
      changes.push(`${names.nsg(cluster)}: rule ${name} ${current ? "updated to the spec" : "added"}`);
    }
    for (const name of have.keys()) {
      if (wanted.some((r) => r.name === name)) continue;
      await c.network.securityRules.beginDeleteAndWait(rg, names.nsg(cluster), name, poll);
      changes.push(`${names.nsg(cluster)}: removed rule ${name}, which the spec does not ask for`);
    }
  } catch (err) {
    throw toCloudError(err, `preparing the network of cluster ${cluster} in resource group ${rg}`);
  }
  return changes;
}

/** Deletes the NSG, the cluster's VNet (if cloudlaunch made it) and the group (if cloudlaunch made it and it is empty). */
export async function deleteClusterResources(c: AzureClients, cluster: string): Promise<void> {
  const rg = requireGroup(c);
  if (!(await groupExists(c))) return;
  const poll = { updateIntervalInMs: c.settings.pollIntervalMs };
  const ours = (tags?: Record<string, string>) => ownedBy(tags, cluster);
  try {
    const nsg = await c.network.networkSecurityGroups.get(rg, names.nsg(cluster)).catch(ignoreNotFound);
    if (nsg && ours(nsg.tags)) await c.network.networkSecurityGroups.beginDeleteAndWait(rg, names.nsg(cluster), poll);
    const vnet = await c.network.virtualNetworks.get(rg, names.vnet(cluster)).catch(ignoreNotFound);
    if (vnet && ours(vnet.tags)) await c.network.virtualNetworks.beginDeleteAndWait(rg, names.vnet(cluster), poll);
    const group = await c.resources.resourceGroups.get(rg);
    if (group.tags?.[CREATED_TAG] !== "true" || group.tags?.[OWNER_TAG] !== "true") return;
    for await (const _ of c.resources.resources.listByResourceGroup(rg, { top: 1 })) return; // still holds something
    await c.resources.resourceGroups.beginDeleteAndWait(rg, poll);
  } catch (err) {
    throw toCloudError(err, `deleting the network of cluster ${cluster} in resource group ${rg}`);
  }
}

/** Everything in the group tagged with the cluster, plus OS disks named after its nodes (implicit disks carry no tags). */
export async function leftovers(c: AzureClients, cluster: string): Promise<string[]> {
  const rg = requireGroup(c);
  const found: string[] = [];
  const diskOfCluster = new RegExp(`^${cluster}-(scheduler|worker-\\d+)-osdisk$`);
  try {
    const tagged = `tagName eq '${CLUSTER_TAG}' and tagValue eq '${cluster}'`;
    for await (const r of c.resources.resources.listByResourceGroup(rg, { filter: tagged })) found.push(`${r.type} ${r.name}`);
    const disks = "resourceType eq 'Microsoft.Compute/disks'";
    for await (const r of c.resources.resources.listByResourceGroup(rg, { filter: disks })) {
      if (diskOfCluster.test(r.name ?? "")) found.push(`${r.type} ${r.name}`);
    }
  } catch (err) {
    if (isNotFound(err)) return [];
    throw toCloudError(err, `listing what is left of cluster ${cluster} in resource group ${rg}`);
  }
  return found;
}

function ignoreNotFound(err: unknown): undefined {
  if (isNotFound(err)) return undefined;
  throw err;
}
