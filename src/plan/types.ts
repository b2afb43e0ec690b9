import type { ResolvedSpec, ProviderName, RoleName } from "../spec/schema.js";
import type { InstanceType } from "../catalog/types.js";

/** What applying the plan does to one node. */
export type NodeAction =
  | "create" // launch a new VM under this name
  | "keep" // already running (or pending): nothing to do
  | "start" // exists but stopped: start it
  | "surplus" // more workers exist than the spec asks for: listed, kept (see up --terminate-surplus)
  | "terminate" // surplus worker terminated because the user asked for it
  | "remove"; // failed/stuck node: what is left of it is deleted, and a new node takes its place

export interface RoleChoice {
  role: RoleName;
  chosen: InstanceType;
  /** The next cheapest type that also meets the floors; null for an explicit type or no alternative. */
  runnerUp: InstanceType | null;
  /** Types to try, in order, when the chosen one has no capacity: chosen first. */
  candidates: InstanceType[];
  /**
   * The one fallback order every driver walks: each candidate type, cheapest first, in every zone allowed (the pinned
   * zone only, or each zone of the region offering the type, in name order: zone "*") before the next type.
   */
  placements: { type: string; zone: string }[];
  spot: boolean;
  explicit: boolean;
}

export interface PlannedNode {
  name: string;
  role: RoleName;
  action: NodeAction;
  instanceType: string;
  vcpus: number;
  memoryGib: number;
  spot: boolean;
  priceHourly: number;
  /** Cloud id of an existing node (keep, start, surplus, terminate). */
  existingId?: string;
  publicIp?: string;
  /** Why the node is removed or re-created: its state and the cloud's reason. */
  why?: string;
}

export interface HourlyCost {
  instances: number;
  publicIps: number;
  disks: number;
  total: number;
}

export interface Plan {
  cluster: string;
  provider: ProviderName;
  region: string;
  zone?: string;
  spec: ResolvedSpec;
  scheduler: RoleChoice;
  workers: RoleChoice;
  nodes: PlannedNode[];
  firewall: { tcpPorts: number[]; allowedCidrs: string[] };
  hourlyCost: HourlyCost;
  warnings: string[];
  /** Where the prices came from (set by the command; absent in plans made without it, e.g. compare). */
  prices?: PriceSource;
}

export interface PriceSource {
  onDemand: string;
  spot: string;
  /** Spot prices fetched from the cloud for this plan. */
  live: boolean;
}
