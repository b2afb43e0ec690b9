// The GCP driver: Compute Engine through @google-cloud/compute's REST transport, Application Default Credentials
// (or a static token), and an endpoint override for tests and Compute-compatible endpoints.
import { checkQuotas } from "./quotas.js";
import { CloudError } from "../../errors.js";
import type { Plan } from "../../plan/types.js";
import type { ProviderTarget } from "../provider.js";
import type {
  LaunchedNode,
  LaunchRequest,
  Leftover,
  Mutation,
  NodeInfo,
  NodeResult,
  Progress,
  Provider,
} from "../provider.js";
import { changeState } from "./lifecycle.js";
import { clientOptions, GcpClients } from "./clients.js";
import { toCloudError, withRetry } from "./errors.js";
import { Launcher } from "./launch.js";
import { deleteFirewalls, ensureFirewalls, observeFirewalls, remainingFirewalls } from "./network.js";
import { checkNodeNames } from "./node-ownership.js";
import { listDisks, listInstances, listNodeInstances, toNodeInfo } from "./nodes.js";
import { Placement } from "./placement.js";
import { setSchedulerMetadata } from "./scheduler-metadata.js";
import { serialConsole } from "./console.js";
import type { Settings } from "../../settings.js";

export class GcpProvider implements Provider {
  readonly name = "gcp" as const;
  private readonly placement: Placement;

  constructor(
    readonly region: string,
    private readonly project: string,
    private readonly clients: GcpClients,
    private readonly skipQuotaCheck = false,
  ) {
    this.placement = new Placement(clients, project, region);
  }

  async listNodes(cluster?: string): Promise<NodeInfo[]> {
    return (await listNodeInstances(this.clients, this.project, this.region, cluster)).map(toNodeInfo);
  }

  /** Project and region (with its quotas), subnetwork, image, and a zone offering each planned type. */
  async preflight(plan: Plan): Promise<void> {
    const [[region]] = await Promise.all([
      withRetry(`read region ${this.region} of project ${this.project}`, () =>
        this.clients.regions.get({ project: this.project, region: this.region }),
      ),
      this.placement.subnetwork(plan.spec),
      this.placement.image(plan.spec, plan.spec.arch),
      observeFirewalls(this.clients, this.project, plan.cluster),
      checkNodeNames(this.clients, this.project, this.region, plan),
    ]);
    for (const choice of [plan.scheduler, plan.workers]) {
      const zones = await this.placement.zonesOffering(choice.chosen.type, plan.zone);
      if (zones.length === 0 && choice.candidates.length <= 1) {
        throw new CloudError(`No zone of ${this.region} offers machine type ${choice.chosen.type}.`, "capacity");
      }
    }
    if (!this.skipQuotaCheck) checkQuotas(this.project, plan, region.quotas ?? []);
  }

  async leftovers(cluster: string): Promise<Leftover[]> {
    const [instances, disks, firewalls] = await Promise.all([
      listInstances(this.clients, this.project, this.region, cluster),
      listDisks(this.clients, this.project, this.region, cluster),
      remainingFirewalls(this.clients, this.project, cluster),
    ]);
    return [...instances.map((i) => `instance ${i.name} (${i.status})`), ...disks, ...firewalls];
  }

  consoleOutput(node: NodeInfo): Promise<string> {
    return serialConsole(this.clients, this.project, node);
  }

  /** Compute has no dry-run mode: nothing to check beyond the reads preflight already made. */
  async checkMutation(_mutation: Mutation): Promise<void> {}

  setSchedulerAddress(workers: NodeInfo[], address: string): Promise<void> {
    return setSchedulerMetadata(this.clients, this.project, workers, address);
  }

  ensureNetwork(plan: Plan): Promise<string[]> {
    return ensureFirewalls(this.clients, this.placement, this.project, plan);
  }

  launch(plan: Plan, requests: LaunchRequest[], progress: Progress): Promise<LaunchedNode[]> {
    return new Launcher(this.clients, this.placement, this.project, this.region, plan, progress).launch(requests);
  }

  start(nodes: NodeInfo[], progress: Progress): Promise<NodeResult[]> {
    return changeState(this.clients, this.project, this.region, "start", nodes, progress);
  }

  stop(nodes: NodeInfo[], progress: Progress): Promise<NodeResult[]> {
    return changeState(this.clients, this.project, this.region, "stop", nodes, progress);
  }

  terminate(nodes: NodeInfo[], progress: Progress): Promise<NodeResult[]> {
    return changeState(this.clients, this.project, this.region, "terminate", nodes, progress);
  }

  deleteClusterResources(cluster: string): Promise<void> {
    return deleteFirewalls(this.clients, this.project, cluster);
  }

  close(): Promise<void> {
    return this.clients.close();
  }
}

/** What the GCP driver reads of the settings. */
type GcpDriverSettings = Pick<Settings, "env" | "gcp" | "skipQuotaCheck">;

export async function createProvider(target: ProviderTarget, settings: GcpDriverSettings): Promise<Provider> {
  const { env } = settings;
  const project = target.gcp?.project ?? env.GOOGLE_CLOUD_PROJECT;
  if (!project)
    throw new CloudError("No GCP project: set gcp.project in the spec (or GOOGLE_CLOUD_PROJECT).", "invalid");
  const options = clientOptions(target.gcp?.endpoint, env);
  // Resolve ADC up front: when a client's own lazy initialization fails, the SDK rethrows from a detached promise
  // (an unhandled rejection that kills the process) instead of rejecting the call.
  if (options.auth)
    await options.auth.getClient().catch((err) => Promise.reject(toCloudError(err, "load GCP credentials")));
  const clients = new GcpClients(options, settings.gcp.waitMs);
  return new GcpProvider(target.region, project, clients, settings.skipQuotaCheck);
}
