// status: every cloudlaunch cluster in the region(s), or one cluster's nodes. It only shows, so it lists with eventual
// consistency (ListOptions): a driver may answer from an index that trails the cloud by seconds, and says so.
import { typesIn } from "../catalog/catalog.js";
import { runningCost } from "../plan/running-cost.js";
import { loadProvider, type ProviderTarget } from "../providers/index.js";
import type { ListOptions, NodeInfo } from "../providers/provider.js";
import { readRecord } from "../records.js";
import { makeOutput } from "../render/output.js";
import {
  clusterAccessText,
  clusterJson,
  clustersText,
  costJson,
  costText,
  nodesText,
  type ClusterSummary,
} from "../render/status.js";
import { resolveTargets, type TargetFlags } from "./target.js";
import { daskHealth } from "../apply/dask-health.js";
import { clientJson } from "../bootstrap/client-contract.js";
import { healthJson, healthText } from "../render/dask.js";
import type { Settings } from "../settings.js";

const EVENTUAL: ListOptions = { consistency: "eventual" };

export async function status(
  cluster: string | undefined,
  options: TargetFlags & { json?: boolean },
  settings: Settings,
): Promise<number> {
  const out = makeOutput(!!options.json);
  const targets = resolveTargets(cluster, options, settings);
  if (cluster) {
    const target = targets[0];
    const provider = await loadProvider(target, settings);
    const nodes = (await provider.listNodes(cluster, EVENTUAL)).filter((n) => n.state !== "terminated");
    const note = provider.eventualListingNote ? `\n${provider.eventualListingNote}` : "";
    const record = readRecord(cluster, settings.home);
    const security = record?.security;
    const types = typesIn(target.provider, target.region, settings.catalogDir);
    const cost = runningCost(target.provider, nodes, types, new Date());
    const health = settings.dask.probe ? await daskHealth(nodes) : undefined;
    if (out.json) {
      const dask = health ? { dask: healthJson(health) } : {};
      const client = record?.client ? { client: clientJson(record.client) } : {};
      out.print(
        JSON.stringify(
          {
            ...clusterJson(cluster, { ...target, security }, nodes, settings.home),
            cost: costJson(cost),
            ...dask,
            ...client,
          },
          null,
          2,
        ),
      );
    } else if (!nodes.length) out.print(`${cluster}: no nodes found${note}`);
    else {
      const access = clusterAccessText(
        cluster,
        nodes,
        settings.home,
        security !== false,
        record?.client,
        health && healthText(health),
      );
      out.print(`${nodesText(nodes, out)}\n${costText(cost)}\n${access}${note}`);
    }
    return nodes.length ? 0 : 1;
  }
  const summaries: ClusterSummary[] = [];
  const notes = new Set<string>();
  for (const target of targets) {
    const provider = await loadProvider(target, settings);
    const nodes = await provider.listNodes(undefined, EVENTUAL);
    if (provider.eventualListingNote) notes.add(provider.eventualListingNote);
    summaries.push(...summarize(target, nodes, settings.catalogDir));
  }
  if (out.json) out.print(JSON.stringify({ clusters: summaries }, null, 2));
  else out.print([clustersText(summaries, out), ...notes].join("\n"));
  return 0;
}

function summarize(target: ProviderTarget, nodes: NodeInfo[], catalogDir: string | undefined): ClusterSummary[] {
  const types = typesIn(target.provider, target.region, catalogDir);
  const byCluster = new Map<string, NodeInfo[]>();
  for (const n of nodes)
    if (n.state !== "terminated") byCluster.set(n.cluster, [...(byCluster.get(n.cluster) ?? []), n]);
  const now = new Date();
  return [...byCluster].map(([cluster, members]) => {
    const states: ClusterSummary["states"] = {};
    for (const n of members) states[n.state] = (states[n.state] ?? 0) + 1;
    const cost = runningCost(target.provider, members, types, now);
    return {
      cluster,
      provider: target.provider,
      region: target.region,
      states,
      hourly: cost.hourly,
      estimated_cost_since_launch: cost.sinceLaunch,
      billed_since: cost.since,
    };
  });
}
