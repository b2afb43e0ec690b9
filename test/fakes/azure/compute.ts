// Microsoft.Compute in the fake: virtual machines (get, list, list-all with statusOnly, instanceView, start,
// deallocate, powerOff, delete), managed disks, and resourceSkus built from the bundled catalog.
// REST reference: https://learn.microsoft.com/rest/api/compute/
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { catalogDir } from "../../../src/catalog/catalog";
import { powerState, provisioningState, type ArmResource, type PowerState } from "./state.js";
import { ArmError, asyncHeaders, notFound, page, parseFilter } from "./wire.js";
import { acceptDelete, getOfType, listOfType, requireGroup, view, type Ctx, type Reply } from "./resources.js";
import { putVm } from "./vm-create.js";
import { retrieveBootDiagnosticsData } from "./boot-diagnostics.js";

export const COMPUTE = "Microsoft.Compute";
export const VM = "Microsoft.Compute/virtualMachines";
export const DISK = "Microsoft.Compute/disks";

interface CatalogRow {
  type: string;
  vcpus: number;
  memoryGib: number;
  arch: "x86_64" | "arm64";
}
let catalog: { location: string; rows: Map<string, CatalogRow> } | undefined;

export function loadCatalog(location: string) {
  const file = join(catalogDir(), "azure", `${location}.json`);
  const json = JSON.parse(readFileSync(file, "utf8")) as { rows: [string, number, number, "x86_64" | "arm64"][] };
  catalog = {
    location,
    rows: new Map(
      json.rows.map(([type, vcpus, memoryGib, arch]) => [type.toLowerCase(), { type, vcpus, memoryGib, arch }]),
    ),
  };
}

export const catalogRow = (size: string) => catalog?.rows.get(size.toLowerCase());

/** The quota family Compute names in its errors, e.g. Standard_D2s_v5 → standardDSv5Family. */
export function skuFamily(size: string): string {
  const m = /^Standard_([A-Z]+)\d+([a-z]*)(?:_v(\d+))?/.exec(size);
  if (!m) return "standardFamily";
  return `standard${m[1]}${m[2].includes("s") ? "S" : ""}${m[3] ? `v${m[3]}` : ""}Family`;
}

/** The displayStatus Compute gives each power state (instance view, and Resource Graph's extended.instanceView). */
export const POWER_DISPLAY: Record<PowerState, string> = {
  starting: "VM starting",
  running: "VM running",
  stopping: "VM stopping",
  stopped: "VM stopped",
  deallocating: "VM deallocating",
  deallocated: "VM deallocated",
};

export function instanceView(vm: ArmResource) {
  const prov = provisioningState(vm);
  const power = powerState(vm);
  const statuses: any[] = [
    // A failed provisioning names its error code as Compute does: "ProvisioningState/failed/ZonalAllocationFailed".
    prov === "Failed" && vm.failed
      ? {
          code: `ProvisioningState/failed/${vm.failed.code}`,
          level: "Error",
          displayStatus: "Provisioning failed",
          message: vm.failed.message,
        }
      : {
          code: `ProvisioningState/${prov.toLowerCase()}`,
          level: "Info",
          displayStatus: `Provisioning ${prov.toLowerCase()}`,
        },
  ];
  if (power) statuses.push({ code: `PowerState/${power}`, level: "Info", displayStatus: POWER_DISPLAY[power] });
  return { computerName: vm.properties.osProfile?.computerName, osName: "ubuntu", statuses };
}

export const vmView = (vm: ArmResource, withInstanceView = false) =>
  view(vm, withInstanceView ? { instanceView: instanceView(vm) } : {});

export function handleCompute(
  ctx: Ctx,
  p: { rg: string; type: string; name?: string; action?: string; method: string; body: any },
): Reply {
  const group = requireGroup(ctx, p.rg);
  const kind = p.type.toLowerCase();
  if (kind === "disks") {
    if (!p.name) return listOfType(ctx, p.rg, DISK);
    const disk = getOfType(ctx, `${group.id}/providers/${DISK}/${p.name}`, DISK);
    if (p.method === "GET") return { status: 200, body: view(disk) };
    if (p.method === "DELETE") {
      if (disk.properties.managedBy)
        throw new ArmError(
          409,
          "OperationNotAllowed",
          `Disk ${p.name} is attached to VM ${disk.properties.managedBy}.`,
        );
      return acceptDelete(ctx, disk, COMPUTE);
    }
  }
  if (kind !== "virtualmachines")
    throw new ArmError(400, "InvalidResourceType", `The resource type '${p.type}' is not served by this fake.`);
  if (!p.name) return listOfType(ctx, p.rg, VM, (vm) => vmView(vm));
  const id = `${group.id}/providers/${VM}/${p.name}`;
  if (p.method === "PUT" && !p.action) return putVm(ctx, p.rg, p.name, p.body);
  if (p.method === "DELETE" && !p.action) {
    const vm = ctx.state.get(id);
    return vm ? acceptDelete(ctx, vm, COMPUTE) : { status: 204 };
  }
  const vm = getOfType(ctx, id, VM);
  if (p.method === "GET" && !p.action)
    return { status: 200, body: vmView(vm, ctx.url.searchParams.get("$expand") === "instanceView") };
  if (p.method === "GET" && p.action === "instanceView") return { status: 200, body: instanceView(vm) };
  if (p.method === "POST" && p.action?.toLowerCase() === "retrievebootdiagnosticsdata")
    return retrieveBootDiagnosticsData(ctx, vm);
  if (p.method === "POST" && p.action) return powerAction(ctx, vm, p.action);
  // PATCH (https://learn.microsoft.com/rest/api/compute/virtual-machines/update): a given `tags` replaces the set.
  if (p.method === "PATCH" && !p.action) {
    if (vm.deleteAt !== undefined)
      throw new ArmError(
        409,
        "OperationNotAllowed",
        `Operation 'Patch' is not allowed on VM '${vm.name}' since the VM is marked for deletion.`,
      );
    if (p.body?.tags) vm.tags = { ...p.body.tags };
    return { status: 200, body: vmView(vm) };
  }
  throw notFound(`${id}/${p.action ?? ""}`);
}

const ACTIONS: Record<string, [PowerState, PowerState]> = {
  start: ["starting", "running"],
  deallocate: ["deallocating", "deallocated"],
  poweroff: ["stopping", "stopped"],
};

function powerAction(ctx: Ctx, vm: ArmResource, action: string): Reply {
  const transition = ACTIONS[action.toLowerCase()];
  if (!transition) throw new ArmError(400, "InvalidParameter", `Action '${action}' is not served by this fake.`);
  if (vm.deleteAt !== undefined)
    throw new ArmError(
      409,
      "OperationNotAllowed",
      `Operation '${action}' is not allowed since the VM '${vm.name}' is marked for deletion.`,
    );
  if (provisioningState(vm) === "Failed" && action === "start") {
    throw new ArmError(
      409,
      "OperationNotAllowed",
      `Operation 'start' is not allowed on VM '${vm.name}' since the VM is in a failed state.`,
    );
  }
  const now = Date.now();
  const already = powerState(vm, now) === transition[1];
  const at = already ? now : now + ctx.transitionMs;
  vm.power = { from: already ? transition[1] : transition[0], to: transition[1], at };
  vm.updating = true;
  vm.readyAt = at;
  const op = ctx.state.startOperation(at - now);
  return { status: 202, headers: asyncHeaders(ctx.state, op, ctx.baseUrl, COMPUTE, ctx.apiVersion) };
}

/** GET /subscriptions/{s}/providers/Microsoft.Compute/virtualMachines; statusOnly=true adds each instanceView. */
export function listAllVms(ctx: Ctx): Reply {
  const statusOnly = ctx.url.searchParams.get("statusOnly") === "true";
  const items = ctx.state.all().filter((r) => r.type === VM);
  return { status: 200, body: page(items, ctx.url, ctx.baseUrl, ctx.pageSize, (vm) => vmView(vm, statusOnly)) };
}

/** GET /subscriptions/{s}/providers/Microsoft.Compute/skus: virtualMachines SKUs of the fake's location. */
export function listSkus(ctx: Ctx): Reply {
  const { location } = parseFilter(ctx.url.searchParams.get("$filter"));
  const loc = ctx.state.location;
  if (location && location.toLowerCase() !== loc) return { status: 200, body: { value: [] } };
  const items = [...(catalog?.rows.values() ?? [])].map((row) => ({
    resourceType: "virtualMachines",
    name: row.type,
    tier: "Standard",
    size: row.type.replace(/^Standard_/, ""),
    family: skuFamily(row.type),
    locations: [loc],
    locationInfo: [{ location: loc, zones: ctx.state.zones, zoneDetails: [] }],
    capabilities: [
      { name: "vCPUs", value: String(row.vcpus) },
      { name: "MemoryGB", value: String(row.memoryGib) },
      { name: "CpuArchitectureType", value: row.arch === "arm64" ? "Arm64" : "x64" },
    ],
    restrictions: ctx.state.restrictions
      .filter((r) => r.size.toLowerCase() === row.type.toLowerCase())
      .map((r) =>
        r.zones
          ? {
              type: "Zone",
              values: [loc],
              restrictionInfo: { locations: [loc], zones: r.zones },
              reasonCode: "NotAvailableForSubscription",
            }
          : {
              type: "Location",
              values: [loc],
              restrictionInfo: { locations: [loc] },
              reasonCode: "NotAvailableForSubscription",
            },
      ),
  }));
  return { status: 200, body: page(items, ctx.url, ctx.baseUrl, Math.max(ctx.pageSize, 500)) };
}
