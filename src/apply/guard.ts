// The one choke point for --dryrun (after release-it's Shell): every mutation of the cloud passes through here.
// In a dry run the mutation is described and, where the cloud can check permissions without acting (EC2
// DryRun=true), checked — never performed. Reads pass straight through.
import type { LaunchedNode, Mutation, NodeResult, Provider } from "../providers/provider.js";

export interface GuardOptions {
  dryrun: boolean;
  /** Ask the cloud whether each mutation would be allowed (only with credentials). */
  checkPermissions: boolean;
  /** Told every mutation that a dry run skips. */
  onSkipped(description: string): void;
}

function describeMutation(m: Mutation): string {
  switch (m.kind) {
    case "ensureNetwork":
      return `create the firewall / security group of ${m.cluster} if missing, and converge its rules`;
    case "launch":
      return `launch ${m.requests.length} node(s): ${summarizeNames(m.requests.map((r) => r.name))}`;
    case "deleteClusterResources":
      return `delete the firewall / security group and network resources of ${m.cluster}`;
    case "setSchedulerAddress":
      return `point ${m.nodes.length} worker(s) at the new scheduler: ${summarizeNames(m.nodes.map((n) => n.name))}`;
    default:
      return `${m.kind} ${m.nodes.length} node(s): ${summarizeNames(m.nodes.map((n) => n.name))}`;
  }
}

function summarizeNames(names: string[]): string {
  return names.length <= 3 ? names.join(", ") : `${names[0]} … ${names.at(-1)}`;
}

export function guard(provider: Provider, options: GuardOptions): Provider {
  if (!options.dryrun) return provider;
  const skip = async (m: Mutation) => {
    if (options.checkPermissions) await provider.checkMutation(m);
    options.onSkipped(describeMutation(m));
  };
  const skipped =
    (verb: string) =>
    async (nodes: Parameters<Provider["stop"]>[0]): Promise<NodeResult[]> => {
      await skip({ kind: verb as "stop", nodes });
      return nodes.map((n) => ({ name: n.name, ok: true, message: `would ${verb}`, node: n }));
    };
  return {
    name: provider.name,
    region: provider.region,
    eventualListingNote: provider.eventualListingNote,
    listNodes: (cluster, listOptions) => provider.listNodes(cluster, listOptions),
    preflight: (plan) => provider.preflight(plan),
    leftovers: (cluster) => provider.leftovers(cluster),
    checkMutation: (m) => provider.checkMutation(m),
    consoleOutput: (node) => provider.consoleOutput(node),
    ensureNetwork: async (plan) => {
      await skip({ kind: "ensureNetwork", cluster: plan.cluster });
      return [];
    },
    launch: async (plan, requests): Promise<LaunchedNode[]> => {
      await skip({ kind: "launch", cluster: plan.cluster, requests });
      return [];
    },
    start: skipped("start"),
    stop: skipped("stop"),
    terminate: skipped("terminate"),
    deleteClusterResources: (cluster) => skip({ kind: "deleteClusterResources", cluster }),
    setSchedulerAddress: (nodes, address) => skip({ kind: "setSchedulerAddress", nodes, address }),
    close: () => provider.close(),
  };
}
