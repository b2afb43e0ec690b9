// Where the cluster lives: the resource group, resource ids, the spec's subnet; and the teardown, which touches only
// what carries the cluster's tags and deletes the group only if cloudlaunch created it and nothing else is left in
// it. Creating and converging the group, VNet and NSG is converge.ts.
import type { ResolvedSpec } from "../../spec/schema.js";
import { ownedBy } from "../ownership.js";
import { CloudError } from "../../errors.js";
import { CLUSTER_TAG, OWNER_TAG } from "../provider.js";
import type { AzureClients } from "./clients.js";
import { isNotFound, toCloudError } from "./errors.js";
import { CREATED_TAG, names } from "./vm-spec.js";

export function requireGroup(c: AzureClients): string {
  const rg = c.settings.resourceGroup;
  if (!rg) throw new CloudError("Azure needs a resource group: set azure.resource_group in the spec.", "invalid");
  return rg;
}

const resourceId = (c: AzureClients, rg: string, type: string, name: string) =>
  `/subscriptions/${c.settings.subscriptionId}/resourceGroups/${rg}/providers/${type}/${name}`;

export const nsgId = (c: AzureClients, cluster: string) =>
  resourceId(c, requireGroup(c), "Microsoft.Network/networkSecurityGroups", names.nsg(cluster));

export function subnetId(c: AzureClients, spec: ResolvedSpec, cluster: string): string {
  return (
    spec.network?.subnet ||
    `${resourceId(c, requireGroup(c), "Microsoft.Network/virtualNetworks", names.vnet(cluster))}/subnets/${names.subnet}`
  );
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
export async function checkSubnet(c: AzureClients, spec: ResolvedSpec): Promise<void> {
  const id = spec.network?.subnet;
  if (!id) return;
  const m =
    /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i.exec(id);
  if (!m)
    throw new CloudError(
      `network.subnet must be a subnet resource id (/subscriptions/.../virtualNetworks/<vnet>/subnets/<subnet>), not '${id}'.`,
      "invalid",
    );
  try {
    await c.network.subnets.get(m[1], m[2], m[3]);
  } catch (err) {
    throw toCloudError(err, `reading subnet ${id}`);
  }
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
    for await (const r of c.resources.resources.listByResourceGroup(rg, { filter: tagged }))
      found.push(`${r.type} ${r.name}`);
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

export function ignoreNotFound(err: unknown): undefined {
  if (isNotFound(err)) return undefined;
  throw err;
}
