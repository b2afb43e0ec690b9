// The contract every cloud driver implements (after SkyPilot's sky/provision verbs). A driver translates the plan
// into API calls; it never chooses types, names or counts. Mutating methods are only ever called through
// src/apply/guard.ts, which is where --dryrun is enforced.
import type { ClusterSpec, ProviderName, RoleName } from "../spec/schema.js";
import type { InstanceType } from "../catalog/types.js";
import type { Plan } from "../plan/types.js";
import type { LiveSpotPrices } from "../plan/live-prices.js";

export type NodeState = "pending" | "running" | "stopping" | "stopped" | "terminating" | "terminated" | "unknown";

/** One VM as the cloud reports it; only VMs carrying cloudlaunch's ownership tag/label are ever returned. */
export interface NodeInfo {
  name: string;
  cluster: string;
  role: RoleName;
  /** The cloud's id: EC2 instance id, GCP instance name/id, Azure VM resource id. */
  id: string;
  state: NodeState;
  instanceType: string;
  zone?: string;
  publicIp?: string;
  privateIp?: string;
  /** ISO 8601. */
  launchTime?: string;
  spot: boolean;
  /**
   * Stopped from inside (e.g. max_lifetime on Azure, where a guest shutdown leaves the VM allocated) and still billed
   * for compute: `stop` acts on it (deallocates) rather than calling it already stopped, and status says so.
   */
  stillBilled?: boolean;
  /**
   * The node will never serve although the cloud still lists it (Azure provisioningState Failed; set by the core for
   * a node pending past its bounded wait): `up` removes what is left of it and launches a replacement.
   */
  failed?: boolean;
  /** The cloud's reason for the node's state when it gives one (EC2 StateReason, Azure ProvisioningState/failed/...). */
  reason?: string;
}

/** One node to launch. Candidates come from the plan, cheapest first; the driver tries them in order. */
export interface LaunchRequest {
  name: string;
  role: RoleName;
  candidates: InstanceType[];
  spot: boolean;
  /**
   * Cloud-init user data (plain text; the driver encodes it as its API wants) for the type actually launched:
   * Dask's worker sizing follows the machine, so a fallback type gets its own. Same type → same string.
   */
  userData(type: InstanceType): string;
  /**
   * Which launch attempt of this name this is: the number of earlier VMs of the name the cloud still shows as gone
   * or failed (see src/apply/attempt.ts). Part of every idempotency token, so a retry or a re-run after a crash
   * reuses the token while a new attempt for a name whose VM is gone does not.
   */
  generation?: number;
}

export interface LaunchedNode extends NodeInfo {
  /** Set when the driver had to use another type or zone than the first choice: said to the user. */
  fallback?: string;
}

/** Per-node outcome of stop/start/terminate: partial success is normal and reported node by node. */
export interface NodeResult {
  name: string;
  ok: boolean;
  /** e.g. "stopped", "already stopped", "not found", or the cloud's error translated. */
  message: string;
  node?: NodeInfo;
}

export interface Progress {
  /** Called whenever the driver learns more; "3/10 running". */
  update(done: number, total: number, what: string): void;
  /** Something the user should read: a fallback, a retry after throttling. */
  note(message: string): void;
}

/** A resource still carrying the cluster's tags after terminate, e.g. "security group sg-123". */
export type Leftover = string;

/** One mutation, described for a dry-run preview and for the provider's permission check. */
export type Mutation =
  | { kind: "ensureNetwork"; cluster: string }
  | { kind: "launch"; cluster: string; requests: LaunchRequest[] }
  | { kind: "start" | "stop" | "terminate"; nodes: NodeInfo[] }
  | { kind: "deleteClusterResources"; cluster: string }
  | { kind: "setSchedulerAddress"; nodes: NodeInfo[]; address: string };

/**
 * How current a listing must be. "eventual" lets a driver answer from an index that can trail the cloud by seconds
 * (Azure Resource Graph: scoped by tag and cheap whatever the account's size, but told of changes after the fact), so
 * it is for what is only shown — `status` — and never for a decision: up's reconcile, stop/start/terminate, logs, ssh,
 * naming and launch waits list with the default, "strong", or a lagging index would launch twins or leak VMs.
 */
export interface ListOptions {
  consistency?: "strong" | "eventual";
}

export interface Provider {
  readonly name: ProviderName;
  readonly region: string;
  /** What to tell the user when an eventual listing (see ListOptions) can lag; absent where it cannot. */
  readonly eventualListingNote?: string;

  // --- reads: always allowed, also under --dryrun ---
  /** Nodes of one cluster (or of every cloudlaunch cluster in the region): live, stopped and recently terminated. */
  listNodes(cluster?: string, options?: ListOptions): Promise<NodeInfo[]>;
  /**
   * Read-only checks before any mutation: credentials, project/subscription, image, subnet, type offered in the
   * zone, quotas. Throws CloudError with a message the user can act on.
   */
  preflight(plan: Plan): Promise<void>;
  /** Resources still tagged with the cluster (VMs not terminated, disks, IPs, firewall, NICs...). Empty = clean. */
  leftovers(cluster: string): Promise<Leftover[]>;
  /**
   * Current spot prices of `types` in the region (per zone where the cloud prices zones), an input to the pure planner. Absent
   * (or undefined) where the cloud has no live price to read; the plan then uses the bundled snapshot.
   */
  spotPrices?(types: string[]): Promise<LiveSpotPrices | undefined>;
  /**
   * Dry-run permission check of one mutation where the cloud supports it (EC2 DryRun=true). Resolves when the
   * call would be allowed; throws CloudError otherwise. Providers without such a check resolve without calling.
   */
  checkMutation(mutation: Mutation): Promise<void>;
  /**
   * The node's boot (serial console) log as the cloud keeps it: EC2 GetConsoleOutput (the last 64 KB), GCP serial
   * port 1, Azure boot diagnostics. "" when the cloud has nothing yet (EC2 posts it only a few minutes after boot).
   */
  consoleOutput(node: NodeInfo): Promise<string>;

  // --- mutations: only through the dry-run guard ---
  /**
   * Converge the cluster's firewall/security group/NSG (and anything the VMs need) to the plan: create what is
   * missing, update rules that differ, touch nothing already right. Refuses (CloudError) a same-named resource
   * cloudlaunch did not make for this cluster. Returns the changes made, empty when everything matched.
   */
  ensureNetwork(plan: Plan): Promise<string[]>;
  /** Launch the nodes (batched and bounded by the driver), waiting until each is running with its public IP. */
  launch(plan: Plan, requests: LaunchRequest[], progress: Progress): Promise<LaunchedNode[]>;
  start(nodes: NodeInfo[], progress: Progress): Promise<NodeResult[]>;
  stop(nodes: NodeInfo[], progress: Progress): Promise<NodeResult[]>;
  /** Terminate the VMs with their disks, NICs and public IPs, waiting until they are gone. */
  terminate(nodes: NodeInfo[], progress: Progress): Promise<NodeResult[]>;
  /** Delete the cluster's firewall/security group/NSG (and network/resource group only if cloudlaunch made them). */
  deleteClusterResources(cluster: string): Promise<void>;
  /**
   * Writes the scheduler's private IP into each worker's own instance metadata under SCHEDULER_IP_KEY (EC2 tag, GCP
   * custom metadata, Azure tag), where the worker reads it at each service start (templates/scheduler-address.sh).
   */
  setSchedulerAddress(workers: NodeInfo[], address: string): Promise<void>;

  /** Releases the SDK clients' sockets when the command is done with the cloud; a no-op where nothing is held. */
  close(): Promise<void>;
}

/**
 * The metadata key workers read their scheduler's private IP from (templates/scheduler-address.sh):
 * EC2 instance tags in IMDS (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/work-with-tags-in-IMDS.html),
 * GCP custom metadata (https://cloud.google.com/compute/docs/metadata/querying-metadata), Azure IMDS compute/tagsList
 * (https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service).
 */
export const SCHEDULER_IP_KEY = "cloudlaunch-scheduler-ip";

/** Ownership tag/label keys, the same on every cloud (GCP label keys cannot contain ':' so they use '-'). */
export const OWNER_TAG = "cloudlaunch-managed";
export const CLUSTER_TAG = "cloudlaunch-cluster";
export const ROLE_TAG = "cloudlaunch-role";
export const NODE_TAG = "cloudlaunch-node";

/** Where a cluster lives: all a driver needs to be created (the rest of the spec reaches it through the plan). */
export type ProviderTarget = Pick<ClusterSpec, "provider" | "region" | "zone" | "gcp" | "azure">;
