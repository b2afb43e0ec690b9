// The Azure driver: the Provider verbs on Azure Resource Manager through @azure/arm-compute, @azure/arm-network and
// @azure/arm-resources. It translates the plan; it does not choose sizes, names or counts.
// Environment: CLOUDLAUNCH_AZURE_ENDPOINT + CLOUDLAUNCH_AZURE_ACCESS_TOKEN (another Resource Manager endpoint and a
// bearer token for it), CLOUDLAUNCH_AZURE_POLL_INTERVAL_MS (long-running operation polling, default 2000),
// CLOUDLAUNCH_AZURE_CONCURRENCY (concurrent VM calls, default 32), AZURE_SUBSCRIPTION_ID.
import { CloudError } from "../../errors.js";
import type { Plan } from "../../plan/types.js";
import type { ProviderTarget } from "../provider.js";
import type {
  LaunchedNode,
  LaunchRequest,
  Leftover,
  ListOptions,
  Mutation,
  NodeInfo,
  NodeResult,
  Progress,
  Provider,
} from "../provider.js";
import { createClients, type AzureClients, type AzureDriverSettings } from "./clients.js";
import { launch, readSshPublicKey } from "./launch.js";
import { changeState } from "./lifecycle.js";
import { ensureNetwork, observeNetwork } from "./converge.js";
import { checkSubnet, deleteClusterResources, groupExists, leftovers, requireGroup } from "./network.js";
import { checkNodeNames } from "./node-ownership.js";
import { listNodes } from "./nodes.js";
import { listNodesFromGraph } from "./nodes-graph.js";
import { checkQuotas } from "./quotas.js";
import { azureSpotPrices } from "./prices.js";
import type { LiveSpotPrices } from "../../plan/live-prices.js";
import { SkuAvailability } from "./skus.js";
import { setSchedulerTag } from "./scheduler-tag.js";

export async function createProvider(target: ProviderTarget, settings: AzureDriverSettings): Promise<Provider> {
  return new AzureProvider(await createClients(target, settings), settings);
}
import { bootDiagnosticsLog } from "./console.js";

class AzureProvider implements Provider {
  readonly name = "azure" as const;
  readonly region: string;
  readonly eventualListingNote =
    "Azure: status reads Azure Resource Graph, which can trail a change (stop, start, a new VM) by a few seconds.";
  private skus?: Promise<SkuAvailability>;

  constructor(
    private readonly c: AzureClients,
    private readonly settings: AzureDriverSettings,
  ) {
    this.region = c.settings.location;
  }

  /** An eventual listing (status) comes from Resource Graph; every other caller reads Resource Manager. */
  listNodes(cluster?: string, options?: ListOptions): Promise<NodeInfo[]> {
    if (options?.consistency === "eventual") return listNodesFromGraph(this.c, cluster);
    return listNodes(this.c, cluster);
  }

  consoleOutput(node: NodeInfo): Promise<string> {
    return bootDiagnosticsLog(this.c, node);
  }

  async preflight(plan: Plan): Promise<void> {
    requireGroup(this.c);
    readSshPublicKey(plan);
    await groupExists(this.c); // proves the credentials and the subscription before anything else
    await checkSubnet(this.c, plan.spec);
    await observeNetwork(this.c, plan.spec, plan.cluster);
    await checkNodeNames(this.c, plan);
    const skus = await this.availability();
    for (const role of [plan.scheduler, plan.workers]) {
      const usable = role.candidates.filter((t) => !skus.unavailable(t.type, plan.zone));
      if (role.candidates.length > 0 && usable.length === 0) {
        const reasons = role.candidates.map((t) => skus.unavailable(t.type, plan.zone)).join("; ");
        throw new CloudError(
          `No ${role.role} size can be used in ${plan.region}${plan.zone ? ` zone ${plan.zone}` : ""}: ${reasons}.`,
          "capacity",
        );
      }
    }
    if (!this.settings.skipQuotaCheck) await checkQuotas(this.c, plan, skus);
  }

  spotPrices(types: string[]): Promise<LiveSpotPrices | undefined> {
    return azureSpotPrices(this.region, types, this.settings.env);
  }

  leftovers(cluster: string): Promise<Leftover[]> {
    return leftovers(this.c, cluster);
  }

  /** Azure Resource Manager has no dry-run flag for these calls: nothing to check without acting. */
  async checkMutation(_mutation: Mutation): Promise<void> {}

  ensureNetwork(plan: Plan): Promise<string[]> {
    return ensureNetwork(this.c, plan.spec, plan.cluster, plan.firewall);
  }

  async launch(plan: Plan, requests: LaunchRequest[], progress: Progress): Promise<LaunchedNode[]> {
    if (requests.length === 0) return [];
    return launch(this.c, await this.availability(), plan, requests, progress);
  }

  start(nodes: NodeInfo[], progress: Progress): Promise<NodeResult[]> {
    return changeState(this.c, "start", nodes, progress);
  }

  stop(nodes: NodeInfo[], progress: Progress): Promise<NodeResult[]> {
    return changeState(this.c, "stop", nodes, progress);
  }

  terminate(nodes: NodeInfo[], progress: Progress): Promise<NodeResult[]> {
    return changeState(this.c, "terminate", nodes, progress);
  }

  setSchedulerAddress(workers: NodeInfo[], address: string): Promise<void> {
    return setSchedulerTag(this.c, workers, address);
  }

  deleteClusterResources(cluster: string): Promise<void> {
    return deleteClusterResources(this.c, cluster);
  }

  /** Azure's SDK clients have no close(): nothing to release. */
  async close(): Promise<void> {}

  private availability(): Promise<SkuAvailability> {
    this.skus ??= SkuAvailability.load(this.c);
    return this.skus;
  }
}
