// listNodes for `status` (ListOptions consistency "eventual"): one Resource Graph query (graph.ts), paged, for the
// cluster's VMs, NICs and public IPs by the cluster's tags — all three carry them, our ownership rule (vm-spec.ts) —
// within the resource group (the location without one), never the whole subscription's VMs. Only the fields a node
// needs are projected; the rows become the same NodeInfo as Resource Manager's lists (nodes.ts toNode).
import { CLUSTER_TAG, OWNER_TAG, type NodeInfo } from "../provider.js";
import type { NicJson, StatusJson, VmJson } from "./arm-json.js";
import type { AzureClients } from "./clients.js";
import { toCloudError } from "./errors.js";
import { graphRows, kqlString } from "./graph.js";
import { addressesOf, lower, toNode } from "./nodes.js";

const VM = "microsoft.compute/virtualmachines";
const NIC = "microsoft.network/networkinterfaces";
const PIP = "microsoft.network/publicipaddresses";

/** One row of nodeQuery: a VM, a NIC or a public IP, each with only its own columns filled (others ""). */
interface NodeRow {
  id: string;
  name: string;
  type: string;
  location: string;
  tags?: Record<string, string>;
  zones?: string[] | null;
  provisioningState: string;
  vmSize: string;
  timeCreated: string;
  priority: string;
  powerState: string;
  vmId: string;
  ipConfigurations?: NonNullable<NicJson["properties"]>["ipConfigurations"] | null;
  ipAddress: string;
}

function nodeQuery(c: AzureClients, cluster: string | undefined): string {
  const { resourceGroup: rg, location } = c.settings;
  const where = [
    `type in~ (${[VM, NIC, PIP].map(kqlString).join(", ")})`,
    `tags[${kqlString(OWNER_TAG)}] == 'true'`,
    ...(cluster !== undefined ? [`tags[${kqlString(CLUSTER_TAG)}] == ${kqlString(cluster)}`] : []),
    rg ? `resourceGroup =~ ${kqlString(rg)}` : `location =~ ${kqlString(location)}`,
  ];
  const columns = [
    "id, name, type, location, tags, zones",
    "provisioningState = tostring(properties.provisioningState)",
    "vmSize = tostring(properties.hardwareProfile.vmSize)",
    "timeCreated = tostring(properties.timeCreated)",
    "priority = tostring(properties.priority)",
    "powerState = tostring(properties.extended.instanceView.powerState.code)",
    "vmId = tostring(properties.virtualMachine.id)",
    "ipConfigurations = properties.ipConfigurations",
    "ipAddress = tostring(properties.ipAddress)",
  ];
  return `Resources | where ${where.join(" and ")} | project ${columns.join(", ")}`;
}

export async function listNodesFromGraph(c: AzureClients, cluster?: string): Promise<NodeInfo[]> {
  const vms: [VmJson, StatusJson[]][] = [];
  const nics: NicJson[] = [];
  const ips = new Map<string, string>();
  try {
    for await (const row of graphRows<NodeRow>(c.arm, nodeQuery(c, cluster))) {
      const type = lower(row.type);
      if (type === NIC)
        nics.push({ properties: { virtualMachine: { id: row.vmId }, ipConfigurations: row.ipConfigurations ?? [] } });
      else if (type === PIP && row.ipAddress) ips.set(lower(row.id), row.ipAddress);
      else if (type === VM && row.tags?.[CLUSTER_TAG]) vms.push(vmOf(row));
    }
  } catch (err) {
    throw toCloudError(err, `querying Azure Resource Graph for the VMs${cluster ? ` of cluster ${cluster}` : ""}`);
  }
  const addresses = addressesOf(nics, ips);
  return vms.map(([vm, statuses]) => toNode(vm, statuses, addresses.get(lower(vm.id))));
}

/** The row as the VM JSON and instanceView statuses Resource Manager would give (tostring() of nothing is ""). */
function vmOf(row: NodeRow): [VmJson, StatusJson[]] {
  const text = (s: string) => s || undefined;
  const vm: VmJson = {
    id: row.id,
    name: row.name,
    location: row.location,
    tags: row.tags,
    zones: row.zones ?? undefined,
    properties: {
      provisioningState: text(row.provisioningState),
      hardwareProfile: { vmSize: text(row.vmSize) },
      timeCreated: text(row.timeCreated),
      priority: text(row.priority),
    },
  };
  return [vm, row.powerState ? [{ code: row.powerState }] : []];
}
