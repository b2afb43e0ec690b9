// PUT of a virtual machine: validation as Compute answers it, the size checks (catalog, resourceSkus restrictions,
// injected capacity/quota faults), and the NIC, Standard static public IP and OS disk created from the inline
// networkInterfaceConfigurations — deleted with the VM when their deleteOption is Delete.
// REST reference: https://learn.microsoft.com/rest/api/compute/virtual-machines/create-or-update
import { randomUUID } from "node:crypto";
import type { ArmResource } from "./state.js";
import { ArmError, asyncHeaders } from "./wire.js";
import { requireGroup, type Ctx, type Reply } from "./resources.js";
import { findSubnet, NIC, PIP } from "./network.js";
import { catalogRow, skuFamily, vmView, COMPUTE, VM } from "./compute.js";

const KNOWN_IMAGES: Record<string, "x86_64" | "arm64"> = {
  "canonical:ubuntu-24_04-lts:server": "x86_64",
  "canonical:ubuntu-24_04-lts:server-arm64": "arm64",
  "canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2": "x86_64",
  "canonical:0001-com-ubuntu-server-jammy:22_04-lts-arm64": "arm64",
};
const bad = (message: string, code = "InvalidParameter") => new ArmError(400, code, message);

export function putVm(ctx: Ctx, rg: string, name: string, body: any): Reply {
  const group = requireGroup(ctx, rg);
  const id = `${group.id}/providers/${VM}/${name}`;
  const existing = ctx.state.get(id);
  if (existing?.deleteAt !== undefined)
    throw new ArmError(
      409,
      "OperationNotAllowed",
      `Operation 'Put' is not allowed on VM '${name}' since the VM is marked for deletion.`,
    );
  const props = body?.properties ?? {};
  const size: string = props.hardwareProfile?.vmSize;
  const zone: string | undefined = body?.zones?.[0];
  validate(ctx, body, size, zone);

  const fault = (kind: "quota" | "capacity") =>
    ctx.faults.take(kind, "virtualMachines.createOrUpdate", { instanceType: size, zone });
  if (fault("quota")) {
    const row = catalogRow(size)!;
    throw new ArmError(
      409,
      "OperationNotAllowed",
      `Operation could not be completed as it results in exceeding approved ${skuFamily(size)} Cores quota. Additional details - Deployment Model: Resource Manager, Location: ${ctx.state.location}, Current Limit: 10, Current Usage: 10, Additional Required: ${row.vcpus}, (Minimum) New Limit Required: ${10 + row.vcpus}. Setup Alerts when Quota reaches threshold. Submit a request for Quota increase at https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView/Parameters/ by specifying parameters listed in the 'Details' section for deployment to succeed.`,
    );
  }
  const capacity = fault("capacity");
  if (capacity && !zone) {
    throw new ArmError(
      409,
      "SkuNotAvailable",
      `The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: ${size}' is currently not available in location '${ctx.state.location}'. Please try another size or deploy to a different location or different zone. See https://aka.ms/azureskunotavailable for details.`,
    );
  }
  const allocationError = capacity
    ? {
        code: "ZonalAllocationFailed",
        message:
          "Allocation failed. We do not have sufficient capacity for the requested VM size in this zone. Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance",
      }
    : undefined;

  const now = Date.now();
  const vm: ArmResource = existing ?? {
    id,
    name,
    type: VM,
    location: body.location,
    resourceGroup: group.name,
    tags: {},
    properties: {},
    createdAt: now,
    readyAt: now,
    owned: [],
  };
  vm.tags = body.tags ?? {};
  vm.zones = body.zones;
  const { customData: _, adminPassword: __, ...osProfile } = props.osProfile ?? {};
  vm.properties = {
    ...props,
    osProfile,
    vmId: vm.properties.vmId ?? randomUUID(),
    timeCreated: new Date(vm.createdAt).toISOString(),
  };
  if (!existing) createOwned(ctx, vm, props);
  vm.properties.networkProfile = {
    ...props.networkProfile,
    networkInterfaces: vm
      .owned!.filter((o) => o.id.includes("/networkInterfaces/"))
      .map((o) => ({ id: o.id, properties: { primary: true, deleteOption: o.deleteWithVm ? "Delete" : "Detach" } })),
  };
  vm.properties.storageProfile.osDisk = {
    ...props.storageProfile.osDisk,
    osType: "Linux",
    managedDisk: {
      ...props.storageProfile.osDisk?.managedDisk,
      id: vm.owned!.find((o) => o.id.includes("/disks/"))?.id,
    },
  };
  // A VM Azure accepted can still fail to provision (e.g. the guest agent never reports: OSProvisioningTimedOut,
  // https://learn.microsoft.com/troubleshoot/azure/virtual-machines/linux/linux-vm-provisioning-timeout): it stays
  // in provisioningState Failed with its NIC, public IP and disk, powered on, until someone deletes it.
  const where = { instanceType: size, zone };
  const provisionFault = ctx.faults.take("provision-failure", "virtualMachines.createOrUpdate", where);
  const stuck = ctx.faults.take("stuck-pending", "virtualMachines.createOrUpdate", where);
  vm.updating = !!existing;
  vm.readyAt = now + (stuck ? (stuck.holdMs ?? Number.MAX_SAFE_INTEGER / 2) : ctx.transitionMs);
  const provisionError = provisionFault
    ? {
        code: "OSProvisioningTimedOut",
        message: `OS Provisioning for VM '${name}' did not finish in the allotted time. The VM may still finish provisioning successfully.`,
      }
    : undefined;
  vm.failed = allocationError ?? provisionError;
  vm.power = allocationError
    ? { from: "deallocated", to: "deallocated", at: now }
    : { from: "starting", to: "running", at: vm.readyAt };
  ctx.state.put(vm);
  const op = ctx.state.startOperation(vm.readyAt - now, vm.failed);
  const { "azure-asyncoperation": asyncOp } = asyncHeaders(ctx.state, op, ctx.baseUrl, COMPUTE, ctx.apiVersion);
  return {
    status: existing ? 200 : 201,
    body: vmView(vm),
    headers: { "azure-asyncoperation": asyncOp, "retry-after": "0" },
  };
}

function validate(ctx: Ctx, body: any, size: string, zone: string | undefined) {
  const props = body?.properties ?? {};
  if (!body?.location) throw bad("The location property is required for this definition.", "LocationRequired");
  if (body.location.toLowerCase() !== ctx.state.location)
    throw bad(
      `Location '${body.location}' is not available for this subscription in this fake.`,
      "LocationNotAvailableForResourceType",
    );
  const row = size ? catalogRow(size) : undefined;
  if (!row) throw bad(`The value ${size} provided for the VM size is not valid.`);
  if (zone && !ctx.state.zones.includes(zone)) throw bad(`The zone(s) '${zone}' for resource is not supported.`);
  if (ctx.state.isRestricted(size, zone)) {
    throw new ArmError(
      409,
      "SkuNotAvailable",
      `The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: ${size}' is currently not available in location '${ctx.state.location}'${zone ? ` zones '${zone}'` : ""}. Please try another size or deploy to a different location or different zone. See https://aka.ms/azureskunotavailable for details.`,
    );
  }
  const img = props.storageProfile?.imageReference ?? {};
  const imageArch = KNOWN_IMAGES[`${img.publisher}:${img.offer}:${img.sku}`.toLowerCase()];
  if (!imageArch)
    throw new ArmError(
      404,
      "PlatformImageNotFound",
      `The platform image '${img.publisher}:${img.offer}:${img.sku}:${img.version}' is not available.`,
    );
  if (imageArch !== row.arch)
    throw bad(
      `The VM size '${size}' (${row.arch}) cannot boot the ${imageArch} image '${img.offer}:${img.sku}'.`,
      "BadRequest",
    );
  const os = props.osProfile ?? {};
  if (!os.adminUsername) throw bad("Required parameter 'adminUsername' is missing (null).");
  const keys = os.linuxConfiguration?.ssh?.publicKeys ?? [];
  if (os.linuxConfiguration?.disablePasswordAuthentication && keys.length === 0)
    throw bad("Authentication using either SSH or by user name and password must be enabled in Linux profile.");
  if (!os.linuxConfiguration?.disablePasswordAuthentication && !os.adminPassword)
    throw bad("Required parameter 'adminPassword' is missing (null).");
  if (os.customData !== undefined && Buffer.from(os.customData, "base64").length > 65535)
    throw bad("Custom data in OSProfile must be in Base64 encoding and with a maximum length of 87380 characters.");
  if (props.priority === "Spot" && !props.evictionPolicy)
    throw bad("Eviction policy must be specified for Spot priority virtual machines.");
  const net = props.networkProfile ?? {};
  if (!net.networkInterfaceConfigurations?.length && !net.networkInterfaces?.length)
    throw bad("At least one network interface is required.");
  if (net.networkInterfaceConfigurations?.length && !net.networkApiVersion)
    throw bad("networkApiVersion must be specified when networkInterfaceConfigurations are used.");
}

/** The resources one PUT creates: NIC(s) with their public IPs from the inline configuration, and the OS disk. */
function createOwned(ctx: Ctx, vm: ArmResource, props: any) {
  const rgId = vm.id.split("/providers/")[0];
  const now = Date.now();
  const base = {
    location: vm.location,
    resourceGroup: vm.resourceGroup,
    createdAt: now,
    readyAt: now,
    zones: vm.zones,
  };
  for (const nicConf of props.networkProfile?.networkInterfaceConfigurations ?? []) {
    const nicId = `${rgId}/providers/${NIC}/${nicConf.name}`;
    if (ctx.state.get(nicId)) throw bad(`Network interface ${nicConf.name} already exists.`, "Conflict");
    const nsgId = nicConf.properties?.networkSecurityGroup?.id;
    if (nsgId && !ctx.state.get(nsgId))
      throw bad(`Resource ${nsgId} referenced by resource ${vm.id} was not found.`, "InvalidResourceReference");
    const ipConfigurations = (nicConf.properties?.ipConfigurations ?? []).map((c: any) => {
      const subnetId = c.properties?.subnet?.id;
      const subnet = subnetId && findSubnet(ctx, subnetId);
      if (!subnet)
        throw bad(`Resource ${subnetId} referenced by resource ${vm.id} was not found.`, "InvalidResourceReference");
      const ipConfId = `${nicId}/ipConfigurations/${c.name}`;
      const pipConf = c.properties?.publicIPAddressConfiguration;
      let publicIPAddress: { id: string } | undefined;
      if (pipConf) {
        if (pipConf.sku?.name !== "Standard")
          throw bad(
            "Basic SKU public IP addresses were retired on 30 September 2025; use the Standard SKU.",
            "BasicSkuPublicIpNotAllowed",
          );
        const pipId = `${rgId}/providers/${PIP}/${pipConf.name}`;
        ctx.state.put({
          ...base,
          id: pipId,
          name: pipConf.name,
          type: PIP,
          tags: pipConf.tags ?? {},
          sku: pipConf.sku,
          properties: {
            publicIPAllocationMethod: "Static",
            publicIPAddressVersion: "IPv4",
            ipAddress: ctx.state.publicIps.next(),
            ipConfiguration: { id: ipConfId },
          },
        });
        vm.owned!.push({ id: pipId, deleteWithVm: pipConf.properties?.deleteOption === "Delete" });
        publicIPAddress = { id: pipId };
      }
      return {
        name: c.name,
        id: ipConfId,
        properties: {
          primary: c.properties?.primary ?? true,
          subnet: { id: subnetId },
          privateIPAllocationMethod: "Dynamic",
          privateIPAddress: ctx.state.nextPrivateIp(subnet.properties.addressPrefix),
          ...(publicIPAddress ? { publicIPAddress } : {}),
        },
      };
    });
    ctx.state.put({
      ...base,
      id: nicId,
      name: nicConf.name,
      type: NIC,
      tags: nicConf.tags ?? {},
      properties: {
        primary: true,
        ipConfigurations,
        virtualMachine: { id: vm.id },
        ...(nsgId ? { networkSecurityGroup: { id: nsgId } } : {}),
        macAddress: "00-0D-3A-00-00-00",
      },
    });
    vm.owned!.push({ id: nicId, deleteWithVm: nicConf.properties?.deleteOption === "Delete" });
  }
  const osDisk = props.storageProfile?.osDisk ?? {};
  const diskName = osDisk.name ?? `${vm.name}_OsDisk_1_${randomUUID().replace(/-/g, "")}`;
  const diskId = `${rgId}/providers/Microsoft.Compute/disks/${diskName}`;
  // Tags are not inherited: the implicitly created OS disk carries none.
  ctx.state.put({
    ...base,
    id: diskId,
    name: diskName,
    type: "Microsoft.Compute/disks",
    tags: {},
    sku: { name: osDisk.managedDisk?.storageAccountType ?? "Premium_LRS" },
    properties: { osType: "Linux", diskSizeGB: osDisk.diskSizeGB ?? 30, diskState: "Attached", managedBy: vm.id },
  });
  vm.owned!.push({ id: diskId, deleteWithVm: osDisk.deleteOption === "Delete" });
}
