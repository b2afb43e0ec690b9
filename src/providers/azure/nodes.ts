// listNodes in a few paged calls whatever the cluster size: the VMs of the group (model + tags), their power states
// from the subscription-wide list with statusOnly=true, and the group's NICs and public IPs for the addresses.
// Resource Manager offers power states in bulk only there: the group's VM list expands instanceView only with a
// scale-set $filter, and the alternative, one instanceView GET per VM, costs a call per node.
// https://learn.microsoft.com/rest/api/compute/virtual-machines/list-all (statusOnly) and .../virtual-machines/list
// One cluster's listing first asks Resource Manager, by tag, whether the cluster has a VM at all: a cluster that does
// not exist costs that one call, not every VM, NIC and address of the group and the subscription. The lists are read
// as JSON (arm-json.ts), not through the generated models. This is the strong listing every decision reads; `status`
// lists from Resource Graph instead (nodes-graph.ts), by tag and without the subscription-wide power states.
import type { RoleName } from "../../spec/schema.js";
import { CLUSTER_TAG, NODE_TAG, OWNER_TAG, ROLE_TAG, type NodeInfo, type NodeState } from "../provider.js";
import {
  armList,
  COMPUTE_API,
  NETWORK_API,
  type NicJson,
  type PublicIpJson,
  type StatusJson,
  type VmJson,
} from "./arm-json.js";
import type { AzureClients } from "./clients.js";
import { isNotFound, toCloudError } from "./errors.js";

export const lower = (s: string | undefined) => (s ?? "").toLowerCase();

export async function listNodes(c: AzureClients, cluster?: string): Promise<NodeInfo[]> {
  const rg = c.settings.resourceGroup;
  try {
    if (cluster !== undefined && rg && !(await clusterHasVm(c, rg, cluster))) return [];
    // The four paged lists run side by side: a 1000-node status costs the slowest list, not their sum.
    const [vms, statuses, addresses] = await Promise.all([
      clusterVms(c, rg, cluster),
      powerStatuses(c),
      addressesByVm(c, rg),
    ]);
    return vms.map((vm) => toNode(vm, statuses.get(lower(vm.id)), addresses.get(lower(vm.id))));
  } catch (err) {
    if (rg && isNotFound(err)) return []; // the resource group does not exist (yet, or any more)
    throw toCloudError(
      err,
      `listing the VMs${cluster ? ` of cluster ${cluster}` : ""}${rg ? ` in resource group ${rg}` : ""}`,
    );
  }
}

/**
 * Whether the group holds a VM tagged with the cluster: the generic resource list takes a tag $filter (and then
 * answers ids and types without tags). The filter cannot be combined with resourceType, so the type is checked here.
 * https://learn.microsoft.com/rest/api/resources/resources/list-by-resource-group
 */
async function clusterHasVm(c: AzureClients, rg: string, cluster: string): Promise<boolean> {
  const filter = `tagName eq '${CLUSTER_TAG}' and tagValue eq '${cluster.replace(/'/g, "''")}'`;
  for await (const r of c.resources.resources.listByResourceGroup(rg, { filter })) {
    if (lower(r.type) === "microsoft.compute/virtualmachines") return true;
  }
  return false;
}

export interface VmProgress {
  provisioningState?: string;
  state: NodeState;
}

/**
 * Where each VM of the cluster is, by lower-cased VM name: the group's VM list (provisioningState) and the power
 * states, two paged lists whatever the number of VMs. What a launch polls instead of one operation per VM.
 */
export async function vmProgress(c: AzureClients, cluster: string): Promise<Map<string, VmProgress>> {
  const [vms, statuses] = await Promise.all([clusterVms(c, c.settings.resourceGroup, cluster), powerStatuses(c)]);
  const out = new Map<string, VmProgress>();
  for (const vm of vms) {
    const provisioningState = vm.properties?.provisioningState;
    out.set(lower(vm.name), { provisioningState, state: nodeState(provisioningState, statuses.get(lower(vm.id))) });
  }
  return out;
}

/** The group's path under the subscription (the whole subscription's when no group is given). */
const scope = (rg: string | undefined) => (rg ? `/resourceGroups/${encodeURIComponent(rg)}` : "");

async function clusterVms(c: AzureClients, rg: string | undefined, cluster: string | undefined): Promise<VmJson[]> {
  const vms: VmJson[] = [];
  const path = `${scope(rg)}/providers/Microsoft.Compute/virtualMachines`;
  for await (const vm of armList<VmJson>(c.arm, path, COMPUTE_API)) {
    const tags = vm.tags ?? {};
    if (tags[OWNER_TAG] !== "true" || !tags[CLUSTER_TAG]) continue;
    if (cluster !== undefined && tags[CLUSTER_TAG] !== cluster) continue;
    if (!rg && lower(vm.location) !== lower(c.settings.location)) continue;
    vms.push(vm);
  }
  return vms;
}

async function powerStatuses(c: AzureClients): Promise<Map<string, StatusJson[]>> {
  const out = new Map<string, StatusJson[]>();
  const vms = armList<VmJson>(c.arm, "/providers/Microsoft.Compute/virtualMachines", COMPUTE_API, {
    statusOnly: "true",
  });
  for await (const vm of vms) out.set(lower(vm.id), vm.properties?.instanceView?.statuses ?? []);
  return out;
}

export interface Addresses {
  privateIp?: string;
  publicIp?: string;
}

async function addressesByVm(c: AzureClients, rg: string | undefined): Promise<Map<string, Addresses>> {
  const network = `${scope(rg)}/providers/Microsoft.Network`;
  const [ips, nics] = await Promise.all([
    publicIps(c, network),
    collect(armList<NicJson>(c.arm, `${network}/networkInterfaces`, NETWORK_API)),
  ]);
  return addressesOf(nics, ips);
}

/** Each VM's primary private IP and its public IP, by lower-cased VM id, from its NICs and the public IPs by id. */
export function addressesOf(nics: NicJson[], ips: Map<string, string>): Map<string, Addresses> {
  const out = new Map<string, Addresses>();
  for (const nic of nics) {
    const vmId = nic.properties?.virtualMachine?.id;
    if (!vmId) continue;
    const confs = nic.properties?.ipConfigurations;
    const conf = (confs?.find((x) => x.properties?.primary) ?? confs?.[0])?.properties;
    out.set(lower(vmId), { privateIp: conf?.privateIPAddress, publicIp: ips.get(lower(conf?.publicIPAddress?.id)) });
  }
  return out;
}

async function publicIps(c: AzureClients, network: string): Promise<Map<string, string>> {
  const ips = new Map<string, string>();
  for await (const pip of armList<PublicIpJson>(c.arm, `${network}/publicIPAddresses`, NETWORK_API)) {
    if (pip.properties?.ipAddress) ips.set(lower(pip.id), pip.properties.ipAddress);
  }
  return ips;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export function toNode(vm: VmJson, statuses: StatusJson[] | undefined, addr: Addresses | undefined): NodeInfo {
  const tags = vm.tags ?? {};
  const props = vm.properties ?? {};
  return {
    name: tags[NODE_TAG] ?? vm.name ?? "",
    cluster: tags[CLUSTER_TAG],
    role: (tags[ROLE_TAG] === "scheduler" ? "scheduler" : "worker") as RoleName,
    id: vm.id ?? "",
    state: nodeState(props.provisioningState, statuses),
    instanceType: props.hardwareProfile?.vmSize ?? "",
    // A regional (non-zonal) VM is reported in its location, the narrowest place Azure gives it.
    zone: vm.zones?.[0] ?? vm.location,
    publicIp: addr?.publicIp,
    privateIp: addr?.privateIp,
    launchTime: props.timeCreated ? new Date(props.timeCreated).toISOString() : undefined,
    spot: props.priority === "Spot",
    ...(powerState(statuses) === "stopped" && { stillBilled: true }),
    ...failedProvisioning(props.provisioningState, statuses),
  };
}

/** A VM whose provisioning failed stays listed (with its NIC and IP) but never serves: the status names why. */
function failedProvisioning(provisioning: string | undefined, statuses: StatusJson[] | undefined): Partial<NodeInfo> {
  const status = statuses?.find((s) => s.code?.toLowerCase().startsWith("provisioningstate/failed"));
  if (provisioning !== "Failed" && !status) return {};
  const code = status?.code?.split("/")[2] ?? "ProvisioningFailed";
  return { failed: true, reason: `${code}${status?.message ? `: ${status.message}` : ""}` };
}

const powerState = (statuses: StatusJson[] | undefined) =>
  statuses?.find((s) => s.code?.startsWith("PowerState/"))?.code?.slice("PowerState/".length);

/** Azure's PowerState/* codes onto the provider-agnostic states; a deallocated and a stopped VM are both "stopped". */
function nodeState(provisioning: string | undefined, statuses: StatusJson[] | undefined): NodeState {
  if (provisioning === "Deleting") return "terminating";
  const power = powerState(statuses);
  switch (power) {
    case "starting":
      return "pending";
    case "running":
      return provisioning === "Creating" ? "pending" : "running";
    case "stopping":
    case "deallocating":
      return "stopping";
    case "stopped":
    case "deallocated":
      return "stopped";
  }
  if (provisioning === "Creating" || provisioning === "Updating") return "pending";
  return "unknown";
}
