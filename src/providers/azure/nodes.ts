// listNodes in a few paged calls whatever the cluster size: the VMs of the group (model + tags), their power states
// from the subscription-wide list with statusOnly=true, and the group's NICs and public IPs for the addresses.
// (The per-group VM list only expands instanceView with a scale-set $filter, hence statusOnly.) One cluster's
// listing first asks Resource Manager, by tag, whether the cluster has a VM at all: a cluster that does not exist
// costs that one call, not every VM, NIC and address of the group and the subscription.
import type { InstanceViewStatus, VirtualMachine } from "@azure/arm-compute";
import type { RoleName } from "../../spec/schema.js";
import { CLUSTER_TAG, NODE_TAG, OWNER_TAG, ROLE_TAG, type NodeInfo, type NodeState } from "../provider.js";
import type { AzureClients } from "./clients.js";
import { isNotFound, toCloudError } from "./errors.js";

const lower = (s: string | undefined) => (s ?? "").toLowerCase();

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
    out.set(lower(vm.name), {
      provisioningState: vm.provisioningState,
      state: nodeState(vm.provisioningState, statuses.get(lower(vm.id))),
    });
  }
  return out;
}

async function clusterVms(
  c: AzureClients,
  rg: string | undefined,
  cluster: string | undefined,
): Promise<VirtualMachine[]> {
  const vms: VirtualMachine[] = [];
  for await (const vm of rg ? c.compute.virtualMachines.list(rg) : c.compute.virtualMachines.listAll()) {
    const tags = vm.tags ?? {};
    if (tags[OWNER_TAG] !== "true" || !tags[CLUSTER_TAG]) continue;
    if (cluster !== undefined && tags[CLUSTER_TAG] !== cluster) continue;
    if (!rg && lower(vm.location) !== lower(c.settings.location)) continue;
    vms.push(vm);
  }
  return vms;
}

async function powerStatuses(c: AzureClients): Promise<Map<string, InstanceViewStatus[]>> {
  const out = new Map<string, InstanceViewStatus[]>();
  for await (const vm of c.compute.virtualMachines.listAll({ statusOnly: "true" })) {
    out.set(lower(vm.id), vm.instanceView?.statuses ?? []);
  }
  return out;
}

interface Addresses {
  privateIp?: string;
  publicIp?: string;
}

async function addressesByVm(c: AzureClients, rg: string | undefined): Promise<Map<string, Addresses>> {
  const [ips, nics] = await Promise.all([
    publicIps(c, rg),
    collect(rg ? c.network.networkInterfaces.list(rg) : c.network.networkInterfaces.listAll()),
  ]);
  const out = new Map<string, Addresses>();
  for (const nic of nics) {
    const vmId = nic.virtualMachine?.id;
    if (!vmId) continue;
    const conf = nic.ipConfigurations?.find((x) => x.primary) ?? nic.ipConfigurations?.[0];
    out.set(lower(vmId), { privateIp: conf?.privateIPAddress, publicIp: ips.get(lower(conf?.publicIPAddress?.id)) });
  }
  return out;
}

async function publicIps(c: AzureClients, rg: string | undefined): Promise<Map<string, string>> {
  const ips = new Map<string, string>();
  for await (const pip of rg ? c.network.publicIPAddresses.list(rg) : c.network.publicIPAddresses.listAll()) {
    if (pip.ipAddress) ips.set(lower(pip.id), pip.ipAddress);
  }
  return ips;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function toNode(vm: VirtualMachine, statuses: InstanceViewStatus[] | undefined, addr: Addresses | undefined): NodeInfo {
  const tags = vm.tags ?? {};
  return {
    name: tags[NODE_TAG] ?? vm.name ?? "",
    cluster: tags[CLUSTER_TAG],
    role: (tags[ROLE_TAG] === "scheduler" ? "scheduler" : "worker") as RoleName,
    id: vm.id ?? "",
    state: nodeState(vm.provisioningState, statuses),
    instanceType: vm.hardwareProfile?.vmSize ?? "",
    // A regional (non-zonal) VM is reported in its location, the narrowest place Azure gives it.
    zone: vm.zones?.[0] ?? vm.location,
    publicIp: addr?.publicIp,
    privateIp: addr?.privateIp,
    launchTime: vm.timeCreated ? new Date(vm.timeCreated).toISOString() : undefined,
    spot: vm.priority === "Spot",
    ...(powerState(statuses) === "stopped" && { stillBilled: true }),
    ...failedProvisioning(vm.provisioningState, statuses),
  };
}

/** A VM whose provisioning failed stays listed (with its NIC and IP) but never serves: the status names why. */
function failedProvisioning(
  provisioning: string | undefined,
  statuses: InstanceViewStatus[] | undefined,
): Partial<NodeInfo> {
  const status = statuses?.find((s) => s.code?.toLowerCase().startsWith("provisioningstate/failed"));
  if (provisioning !== "Failed" && !status) return {};
  const code = status?.code?.split("/")[2] ?? "ProvisioningFailed";
  return { failed: true, reason: `${code}${status?.message ? `: ${status.message}` : ""}` };
}

const powerState = (statuses: InstanceViewStatus[] | undefined) =>
  statuses?.find((s) => s.code?.startsWith("PowerState/"))?.code?.slice("PowerState/".length);

/** Azure's PowerState/* codes onto the provider-agnostic states; a deallocated and a stopped VM are both "stopped". */
function nodeState(provisioning: string | undefined, statuses: InstanceViewStatus[] | undefined): NodeState {
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
