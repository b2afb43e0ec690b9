// Converging the cluster's surroundings: the resource group (created if missing, marked as cloudlaunch's), the
// VNet+subnet made for the cluster (unless the spec gives a subnet) and one NSG per cluster. Observe first: a
// same-named NSG or VNet without this cluster's tags stops `up`; one of ours is changed only where it differs.
import type { SecurityRule } from "@azure/arm-network";
import type { ResolvedSpec } from "../../spec/schema.js";
import { CLUSTER_TAG } from "../provider.js";
import { foreignResource, ownedBy } from "../ownership.js";
import type { AzureClients } from "./clients.js";
import { toCloudError } from "./errors.js";
import { groupExists, ignoreNotFound, requireGroup } from "./network.js";
import { clusterTags, CREATED_TAG, names } from "./vm-spec.js";

const CLUSTER_ADDRESS_SPACE = "10.42.0.0/16";

/** The cluster's NSG and VNet as they are (undefined = missing), refusing same-named ones that are not ours. */
export async function observeNetwork(c: AzureClients, spec: ResolvedSpec, cluster: string) {
  const rg = requireGroup(c);
  if (!(await groupExists(c))) return { group: false, nsg: undefined, vnet: undefined };
  try {
    const nsg = await c.network.networkSecurityGroups.get(rg, names.nsg(cluster)).catch(ignoreNotFound);
    if (nsg && !ownedBy(nsg.tags, cluster))
      throw foreignResource(`Network security group ${names.nsg(cluster)} in resource group ${rg}`, cluster);
    const vnet = spec.network?.subnet
      ? undefined
      : await c.network.virtualNetworks.get(rg, names.vnet(cluster)).catch(ignoreNotFound);
    if (vnet && !ownedBy(vnet.tags, cluster))
      throw foreignResource(`Virtual network ${names.vnet(cluster)} in resource group ${rg}`, cluster);
    return { group: true, nsg, vnet };
  } catch (err) {
    throw toCloudError(err, `reading the network of cluster ${cluster} in resource group ${rg}`);
  }
}

/** The NSG's two rules, by name, as the plan wants them. */
function wantedRules(firewall: { tcpPorts: number[]; allowedCidrs: string[] }): SecurityRule[] {
  return [
    {
      name: "cloudlaunch-ssh-dask",
      priority: 100,
      direction: "Inbound",
      access: "Allow",
      protocol: "Tcp",
      sourceAddressPrefixes: firewall.allowedCidrs,
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      destinationPortRanges: firewall.tcpPorts.map(String),
    },
    {
      // Also in the NSG's default rules (AllowVnetInBound); stated so the cluster's traffic survives edits to them.
      name: "cloudlaunch-vnet-internal",
      priority: 110,
      direction: "Inbound",
      access: "Allow",
      protocol: "*",
      sourceAddressPrefix: "VirtualNetwork",
      sourcePortRange: "*",
      destinationAddressPrefix: "VirtualNetwork",
      destinationPortRange: "*",
    },
  ];
}

// Azure returns a single prefix either as `...Prefix` or as a one-element `...Prefixes`, so compare the union.
const both = (one?: string, many?: string[]) => [...(one ? [one] : []), ...(many ?? [])].sort().join(",");
const ruleShape = (r: SecurityRule) =>
  JSON.stringify([
    r.priority,
    r.direction,
    r.access,
    r.protocol,
    both(r.sourceAddressPrefix, r.sourceAddressPrefixes),
    both(r.sourcePortRange, r.sourcePortRanges),
    both(r.destinationAddressPrefix, r.destinationAddressPrefixes),
    both(r.destinationPortRange, r.destinationPortRanges),
  ]);

/**
 * Converges the cluster's surroundings and returns what it changed. A missing resource is created whole; an
 * existing one of ours is updated only where it differs: one security rule at a time (Security Rules - Create Or
 * Update: https://learn.microsoft.com/rest/api/virtualnetwork/security-rules/create-or-update), the subnet alone.
 * The VNet and NSG are never PUT again once they exist, so later edits elsewhere in them survive.
 */
export async function ensureNetwork(
  c: AzureClients,
  spec: ResolvedSpec,
  cluster: string,
  firewall: { tcpPorts: number[]; allowedCidrs: string[] },
): Promise<string[]> {
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
      await c.network.virtualNetworks.beginCreateOrUpdateAndWait(
        rg,
        names.vnet(cluster),
        {
          location,
          tags,
          addressSpace: { addressPrefixes: [CLUSTER_ADDRESS_SPACE] },
          subnets: [{ name: names.subnet, addressPrefix: CLUSTER_ADDRESS_SPACE }],
        },
        poll,
      );
      changes.push(`created virtual network ${names.vnet(cluster)}`);
    } else if (seen.vnet && !seen.vnet.subnets?.some((sub) => sub.name === names.subnet)) {
      await c.network.subnets.beginCreateOrUpdateAndWait(
        rg,
        names.vnet(cluster),
        names.subnet,
        { addressPrefix: CLUSTER_ADDRESS_SPACE },
        poll,
      );
      changes.push(`restored subnet ${names.subnet} of ${names.vnet(cluster)}`);
    }
    const wanted = wantedRules(firewall);
    if (!seen.nsg) {
      await c.network.networkSecurityGroups.beginCreateOrUpdateAndWait(
        rg,
        names.nsg(cluster),
        { location, tags, securityRules: wanted },
        poll,
      );
      changes.push(`created network security group ${names.nsg(cluster)}`);
      return changes;
    }
    const have = new Map((seen.nsg.securityRules ?? []).map((r) => [r.name ?? "", r]));
    // Extra rules go first: one may hold a priority a wanted rule needs (unique per direction in an NSG).
    for (const name of have.keys()) {
      if (wanted.some((r) => r.name === name)) continue;
      await c.network.securityRules.beginDeleteAndWait(rg, names.nsg(cluster), name, poll);
      changes.push(`${names.nsg(cluster)}: removed rule ${name}, which the spec does not ask for`);
    }
    for (const rule of wanted) {
      const current = have.get(rule.name!);
      if (current && ruleShape(current) === ruleShape(rule)) continue;
      const { name, ...body } = rule;
      await c.network.securityRules.beginCreateOrUpdateAndWait(rg, names.nsg(cluster), name!, body, poll);
      changes.push(`${names.nsg(cluster)}: rule ${name} ${current ? "updated to the spec" : "added"}`);
    }
  } catch (err) {
    throw toCloudError(err, `preparing the network of cluster ${cluster} in resource group ${rg}`);
  }
  return changes;
}
