// What every fake cloud offers the tests, the benchmark and `npm run fake-cloud`. Each fake speaks its cloud's real
// wire format; this is only the test-side handle on it, provider-agnostic so the conformance suite is written once.
import type { ProviderName } from "../../src/spec/schema.js";

export interface FakeCall {
  /** The API action/method, e.g. "RunInstances", "compute.instances.insert", "virtualMachines.createOrUpdate". */
  action: string;
  mutating: boolean;
  status: number;
  /** Answered with the cloud's throttling error. */
  throttled: boolean;
  at: number;
}

/**
 * Faults in provider-agnostic terms; each fake answers with its own cloud's wire error:
 * capacity → EC2 InsufficientInstanceCapacity / GCP ZONE_RESOURCE_POOL_EXHAUSTED / Azure ZonalAllocationFailed/SkuNotAvailable,
 * quota → EC2 VcpuLimitExceeded / GCP QUOTA_EXCEEDED (CPUS) / Azure OperationNotAllowed (cores),
 * throttle → EC2 RequestLimitExceeded / GCP 429 rateLimitExceeded / Azure 429 with Retry-After,
 * server-error → 500/503 in the cloud's error body, drop → the connection is destroyed without an answer,
 * provision-failure → the launch is accepted but the VM never serves: EC2 pending → terminated
 * (Server.InternalError), Azure provisioningState Failed (OSProvisioningInternalError), GCP stuck in PROVISIONING,
 * stuck-pending → the VM stays pending for `holdMs` (forever when absent) before it runs.
 */
export type FaultKind =
  | "capacity"
  | "quota"
  | "throttle"
  | "server-error"
  | "drop"
  | "provision-failure"
  | "stuck-pending";

export interface Fault {
  kind: FaultKind;
  /** Only calls of this action (fake's own action names); any action when absent. capacity/quota apply to launches. */
  action?: string;
  /** capacity: only launches of this instance type / in this zone. */
  instanceType?: string;
  zone?: string;
  /** How many calls the fault hits before it clears; forever when absent. */
  times?: number;
  /** stuck-pending: how long the VM stays pending (ms); forever when absent. */
  holdMs?: number;
}

/** A VM as the fake holds it, in provider-agnostic terms, for assertions. */
export interface FakeVm {
  id: string;
  /** Tells apart two VMs that had the same name and id one after the other (Azure's vmId); `id` when absent. */
  uid?: string;
  name: string;
  cluster?: string;
  state: string;
  instanceType: string;
  zone: string;
  publicIp?: string;
  privateIp?: string;
  tags: Record<string, string>;
  /** GCP custom metadata items (user-data left out), where a node reads what is not a label. */
  metadata?: Record<string, string>;
}

export interface FakeCloudOptions {
  /** Fixed latency added to every call (ms). */
  latencyMs?: number;
  /** How long pending→running, stopping→stopped etc. take (ms). */
  transitionMs?: number;
  /** 0 = any free port. */
  port?: number;
  /** Turn off the fake's request rate limits (token buckets) — on by default where the cloud documents them. */
  rateLimits?: boolean;
}

export interface FakeCloud {
  readonly provider: ProviderName;
  readonly url: string;
  /** Environment that points the CLI (through the real SDK) at this fake with credentials the fake accepts. */
  readonly env: Record<string, string>;
  /** Same, but with credentials the fake rejects as the real cloud would (expired/invalid). */
  readonly badCredentialsEnv: Record<string, string>;
  /** Spec values that exist in the fake: region, zone, subnet, gcp.project / azure.resource_group... (YAML-ready). */
  readonly spec: { region: string; zones: string[]; subnet: string; extra: Record<string, unknown> };
  readonly calls: FakeCall[];
  setLatency(ms: number): void;
  inject(fault: Fault): void;
  clearFaults(): void;
  /** What the serial console of the node named `name` shows from now on (e.g. a failed bootstrap's lines). */
  setConsoleOutput(name: string, text: string): void;
  /**
   * Sets the region's quota limit the plan meets first: "vcpus" the regional (AWS: standard on-demand) vCPU quota,
   * "spot-vcpus" the spot/preemptible/low-priority one, "addresses" the public IPv4 address quota where one exists.
   */
  setQuota(kind: "vcpus" | "spot-vcpus" | "addresses", limit: number): void;
  /** Every VM the fake knows, terminated ones included while the cloud would still list them. */
  vms(): FakeVm[];
  /** Every non-VM resource (security group, firewall, NSG, disk, NIC, public IP, VNet, resource group) with its tags. */
  resources(): { kind: string; id: string; tags: Record<string, string> }[];
  close(): Promise<void>;
}

export type StartFake = (options?: FakeCloudOptions) => Promise<FakeCloud>;
