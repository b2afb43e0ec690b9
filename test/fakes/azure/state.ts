// What the fake Resource Manager holds: one subscription, resource groups and the resources in them, keyed by
// lower-cased resource id (ARM ids are case-insensitive), plus the long-running operations being polled.
// Transitions are computed from timestamps: a resource is "Creating" until readyAt, gone once deleteAt has passed.
import { IpPool } from "../common.js";
import { ConsoleLogs } from "../console.js";

export type PowerState = "starting" | "running" | "stopping" | "stopped" | "deallocating" | "deallocated";

export interface Transition {
  from: PowerState;
  to: PowerState;
  at: number;
}

export interface ArmResource {
  id: string;
  name: string;
  /** e.g. "Microsoft.Network/networkSecurityGroups"; "Microsoft.Resources/resourceGroups" for a group. */
  type: string;
  location: string;
  resourceGroup: string;
  tags: Record<string, string>;
  properties: Record<string, any>;
  zones?: string[];
  sku?: Record<string, unknown>;
  createdAt: number;
  /** provisioningState is Creating/Updating until then, Succeeded (or Failed) after. */
  readyAt: number;
  /** The pending change is an update of an existing resource (start, deallocate, re-PUT), not its creation. */
  updating?: boolean;
  failed?: { code: string; message: string };
  /** Deleting: the resource disappears at this time. */
  deleteAt?: number;
  /** Virtual machines only. */
  power?: Transition;
  /** Virtual machines only: the NIC, public IP and OS disk created with it, and whether they go with it. */
  owned?: { id: string; deleteWithVm: boolean }[];
}

export interface Operation {
  id: string;
  startedAt: number;
  doneAt: number;
  error?: { code: string; message: string };
}

export interface SkuRestriction {
  size: string;
  /** Restricted only in these zones; the whole location when absent. */
  zones?: string[];
}

export class ArmState {
  readonly resources = new Map<string, ArmResource>();
  readonly operations = new Map<string, Operation>();
  readonly restrictions: SkuRestriction[] = [];
  readonly publicIps = new IpPool("198.51");
  readonly consoles = new ConsoleLogs();
  /** Usage limits over usages.ts's defaults: "cores", "lowPriorityCores", a family ("standardDSv5Family"), "PublicIPAddresses". */
  readonly quotaLimits: Record<string, number> = {};
  /** Spot prices by size for the Retail Prices API, over the catalog's (retail-prices.ts). */
  readonly spotPriceOverrides = new Map<string, number>();
  private privateIpCounters = new Map<string, number>();
  private opCounter = 0;

  constructor(
    readonly subscription: string,
    readonly location: string,
    readonly zones: string[],
  ) {}

  get(id: string): ArmResource | undefined {
    this.sweep();
    return this.resources.get(id.toLowerCase());
  }

  put(res: ArmResource): ArmResource {
    this.resources.set(res.id.toLowerCase(), res);
    return res;
  }

  /** Resources whose id lives under `scope` (a resource group or a parent resource), deleting ones included. */
  under(scope: string, type?: string): ArmResource[] {
    this.sweep();
    const prefix = `${scope.toLowerCase()}/`;
    const lowerType = type?.toLowerCase();
    return [...this.resources.values()].filter(
      (r) => (!lowerType || r.type.toLowerCase() === lowerType) && r.id.toLowerCase().startsWith(prefix),
    );
  }

  all(): ArmResource[] {
    this.sweep();
    return [...this.resources.values()];
  }

  /** Removes whatever finished deleting; a VM takes the NIC, IP and disk created with deleteOption Delete along. */
  sweep(now = Date.now()) {
    for (const [key, res] of this.resources) {
      if (res.deleteAt === undefined || res.deleteAt > now) continue;
      this.resources.delete(key);
      for (const dep of res.owned ?? []) {
        const d = this.resources.get(dep.id.toLowerCase());
        if (!d) continue;
        if (dep.deleteWithVm) this.resources.delete(dep.id.toLowerCase());
        else detach(d);
      }
    }
  }

  startOperation(durationMs: number, error?: Operation["error"]): Operation {
    const now = Date.now();
    const op = { id: `op-${++this.opCounter}-${now.toString(36)}`, startedAt: now, doneAt: now + durationMs, error };
    this.operations.set(op.id, op);
    return op;
  }

  nextPrivateIp(subnetPrefix: string): string {
    const n = (this.privateIpCounters.get(subnetPrefix) ?? 0) + 1;
    this.privateIpCounters.set(subnetPrefix, n);
    const [a, b] = subnetPrefix.split("/")[0].split(".");
    // Azure reserves the first four addresses of every subnet.
    return `${a}.${b}.${Math.floor((n + 3) / 250)}.${((n + 3) % 250) + 1}`;
  }

  isRestricted(size: string, zone?: string): boolean {
    return this.restrictions.some(
      (r) =>
        r.size.toLowerCase() === size.toLowerCase() && (!r.zones || (zone !== undefined && r.zones.includes(zone))),
    );
  }
}

function detach(res: ArmResource) {
  if (res.type === "Microsoft.Network/networkInterfaces") delete res.properties.virtualMachine;
  if (res.type === "Microsoft.Compute/disks") {
    res.properties.diskState = "Unattached";
    delete res.properties.managedBy;
  }
}

export function provisioningState(res: ArmResource, now = Date.now()): string {
  if (res.deleteAt !== undefined) return "Deleting";
  if (now < res.readyAt) return res.updating ? "Updating" : "Creating";
  return res.failed ? "Failed" : "Succeeded";
}

export function powerState(res: ArmResource, now = Date.now()): PowerState | undefined {
  if (!res.power) return undefined;
  return now >= res.power.at ? res.power.to : res.power.from;
}
