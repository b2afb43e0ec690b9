// Ownership of the resources a VM PUT would create or overwrite: the VM itself, its NIC, public IP and OS disk are
// named after the node, and a PUT on an existing name is an update. So before any launch, one listing of the
// group says whether one of those names is taken by something cloudlaunch did not make for this cluster.
import type { Plan } from "../../plan/types.js";
import { foreignResource, ownedBy } from "../ownership.js";
import type { AzureClients } from "./clients.js";
import { isNotFound, toCloudError } from "./errors.js";
import { requireGroup } from "./network.js";
import { names } from "./vm-spec.js";

const DISK = "microsoft.compute/disks";

/** The names a new node's PUT would claim, by resource type (lower case, as ARM compares them). */
function claimedBy(node: string): [string, string][] {
  return [
    ["microsoft.compute/virtualmachines", node],
    ["microsoft.network/networkinterfaces", names.nic(node)],
    ["microsoft.network/publicipaddresses", names.ip(node)],
    [DISK, names.osDisk(node)],
  ].map(([type, name]) => [type, name.toLowerCase()]);
}

export async function checkNodeNames(
  c: AzureClients,
  plan: Plan,
  nodes = plan.nodes.filter((n) => n.action === "create").map((n) => n.name),
): Promise<void> {
  if (!nodes.length) return;
  const rg = requireGroup(c);
  const existing = new Map<string, { name: string; type: string; tags?: Record<string, string> }>();
  try {
    for await (const r of c.resources.resources.listByResourceGroup(rg)) {
      existing.set(`${r.type?.toLowerCase()}/${r.name?.toLowerCase()}`, {
        name: r.name ?? "",
        type: r.type ?? "",
        tags: r.tags,
      });
    }
  } catch (err) {
    if (isNotFound(err)) return; // no group yet: nothing can collide
    throw toCloudError(err, `listing resource group ${rg}`);
  }
  for (const node of nodes) {
    const [[vmType, vmName], ...parts] = claimedBy(node);
    const vm = existing.get(`${vmType}/${vmName}`);
    const ourVm = !!vm && ownedBy(vm.tags, plan.cluster);
    for (const [type, name] of [[vmType, vmName], ...parts]) {
      const found = existing.get(`${type}/${name}`);
      // An OS disk made implicitly with one of our VMs carries no tags but is that VM's; without our VM, an
      // untagged disk of that name is someone else's.
      const implicitDiskOfOurVm = type === DISK && ourVm && !Object.keys(found?.tags ?? {}).length;
      if (found && !ownedBy(found.tags, plan.cluster) && !implicitDiskOfOurVm) {
        throw foreignResource(`${found.type} ${found.name} in resource group ${rg}`, plan.cluster);
      }
    }
  }
}
