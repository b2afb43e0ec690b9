// What one cloudlaunch node is in Azure terms: resource names, tags, the Ubuntu image for the arch, and the
// VirtualMachine body of the single PUT that creates the VM with its NIC, Standard static public IP and OS disk.
// Basic public IPs were retired on 30 September 2025; a Standard IP is static and closed inbound unless an NSG
// allows it, hence the NSG on the NIC. deleteOption Delete on NIC, IP and disk makes one DELETE remove all four.
// REST reference: https://learn.microsoft.com/rest/api/compute/virtual-machines/create-or-update
import type { VirtualMachine } from "@azure/arm-compute";
import { CloudError } from "../../errors.js";
import type { ResolvedSpec, RoleName } from "../../spec/schema.js";
import { CLUSTER_TAG, NODE_TAG, OWNER_TAG, ROLE_TAG } from "../provider.js";

/** Marks a resource group cloudlaunch created, so terminate may delete it once it is empty. */
export const CREATED_TAG = "cloudlaunch-created";
/** The API version of Microsoft.Network the VM's inline NIC/IP configurations are created with. */
const NETWORK_API_VERSION = "2022-11-01";
/** Azure's customData limit: 64 KB once decoded. */
const CUSTOM_DATA_LIMIT = 65535;

export const names = {
  nsg: (cluster: string) => `${cluster}-nsg`,
  vnet: (cluster: string) => `${cluster}-vnet`,
  subnet: "default",
  nic: (node: string) => `${node}-nic`,
  ip: (node: string) => `${node}-ip`,
  osDisk: (node: string) => `${node}-osdisk`,
};

export const clusterTags = (spec: ResolvedSpec, cluster: string): Record<string, string> => ({
  ...spec.tags,
  [OWNER_TAG]: "true",
  [CLUSTER_TAG]: cluster,
});

const nodeTags = (spec: ResolvedSpec, cluster: string, role: RoleName, node: string) => ({
  ...clusterTags(spec, cluster),
  [ROLE_TAG]: role,
  [NODE_TAG]: node,
});

interface ImageReference {
  publisher?: string;
  offer?: string;
  sku?: string;
  version?: string;
  id?: string;
}

// Canonical's offers: 24.04 ships x64 and arm64 as SKUs of one offer; 22.04 uses the older "0001-com-..." offer.
const UBUNTU: Record<string, Record<"x86_64" | "arm64", [string, string]>> = {
  "ubuntu-24.04": { x86_64: ["ubuntu-24_04-lts", "server"], arm64: ["ubuntu-24_04-lts", "server-arm64"] },
  "ubuntu-22.04": {
    x86_64: ["0001-com-ubuntu-server-jammy", "22_04-lts-gen2"],
    arm64: ["0001-com-ubuntu-server-jammy", "22_04-lts-arm64"],
  },
};

/** The alias (ubuntu-24.04, ubuntu-22.04), a URN publisher:offer:sku:version, or an image resource id. */
function imageReference(image: string, arch: "x86_64" | "arm64"): ImageReference {
  const alias = UBUNTU[image];
  if (alias) return { publisher: "Canonical", offer: alias[arch][0], sku: alias[arch][1], version: "latest" };
  if (image.startsWith("/subscriptions/")) return { id: image };
  const urn = image.split(":");
  if (urn.length === 4) return { publisher: urn[0], offer: urn[1], sku: urn[2], version: urn[3] };
  throw new CloudError(
    `Image '${image}' is neither an alias (${Object.keys(UBUNTU).join(", ")}), a URN publisher:offer:sku:version nor an image resource id.`,
    "invalid",
  );
}

export interface VmInputs {
  spec: ResolvedSpec;
  cluster: string;
  node: string;
  role: RoleName;
  size: string;
  spot: boolean;
  userData: string;
  subnetId: string;
  nsgId: string;
  sshPublicKey: string;
  zone?: string;
}

export function vmBody(i: VmInputs): VirtualMachine {
  const user = i.spec.ssh.user;
  const tags = nodeTags(i.spec, i.cluster, i.role, i.node);
  const customData = Buffer.from(i.userData, "utf8");
  if (customData.length > CUSTOM_DATA_LIMIT) {
    throw new CloudError(
      `The cloud-init for ${i.node} is ${customData.length} bytes; Azure's customData limit is ${CUSTOM_DATA_LIMIT}.`,
      "invalid",
    );
  }
  return {
    location: i.spec.region,
    tags,
    ...(i.zone ? { zones: [i.zone] } : {}),
    hardwareProfile: { vmSize: i.size },
    storageProfile: {
      imageReference: imageReference(i.spec.image, i.spec.arch),
      osDisk: {
        name: names.osDisk(i.node),
        createOption: "FromImage",
        deleteOption: "Delete",
        diskSizeGB: i.spec.disk_gib,
        managedDisk: { storageAccountType: "StandardSSD_LRS" },
      },
    },
    osProfile: {
      computerName: i.node,
      adminUsername: user,
      customData: customData.toString("base64"),
      linuxConfiguration: {
        disablePasswordAuthentication: true,
        ssh: { publicKeys: [{ path: `/home/${user}/.ssh/authorized_keys`, keyData: i.sshPublicKey }] },
      },
    },
    // Managed boot diagnostics (no storageUri): Azure keeps the serial console log, read by `cloudlaunch logs`.
    diagnosticsProfile: { bootDiagnostics: { enabled: true } },
    networkProfile: {
      networkApiVersion: NETWORK_API_VERSION,
      networkInterfaceConfigurations: [
        {
          name: names.nic(i.node),
          tags,
          primary: true,
          deleteOption: "Delete",
          networkSecurityGroup: { id: i.nsgId },
          ipConfigurations: [
            {
              name: "ipconfig1",
              primary: true,
              subnet: { id: i.subnetId },
              publicIPAddressConfiguration: {
                name: names.ip(i.node),
                tags,
                sku: { name: "Standard", tier: "Regional" },
                publicIPAllocationMethod: "Static",
                deleteOption: "Delete",
              },
            },
          ],
        },
      ],
    },
    // Evicted spot VMs are deallocated, not deleted, so `up` can start them again like any stopped node.
    ...(i.spot ? { priority: "Spot", evictionPolicy: "Deallocate", billingProfile: { maxPrice: -1 } } : {}),
  };
}
