// status: every cloudlaunch cluster in the region(s), or one cluster's nodes.
import { typesIn } from "../catalog/catalog.js";
import { priceOf } from "../catalog/select.js";
import { publicIpHourly } from "../plan/pricing.js";
import { loadProvider, type ProviderTarget } from "../providers/index.js";
import type { NodeInfo } from "../providers/provider.js";
import { readRecord } from "../records.js";
import { makeOutput } from "../render/output.js";
import { clusterAccessText, clusterJson, clustersText, nodesText, type ClusterSummary } from "../render/status.js";
import { resolveTargets, type TargetFlags } from "./target.js";
import { daskHealth } from "../apply/dask-health.js";
import { daskProbeEnabled } from "../apply/wait-dask.js";
import { clientJson } from "../bootstrap/client-contract.js";
import { healthJson, healthText } from "../render/dask.js";

export async function status(cluster: string | undefined, options: TargetFlags & { json?: boolean }): Promise<number> {
  const out = makeOutput(!!options.json);
  const targets = resolveTargets(cluster, options);
  if (cluster) {
    const target = targets[0];
    const nodes = (await (await loadProvider(target)).listNodes(cluster)).filter((n) => n.state !== "terminated");
    const record = readRecord(cluster);
    const security = record?.security;
    const health = daskProbeEnabled() ? await daskHealth(nodes) : undefined;
    if (out.json) {
      const dask = health ? { dask: healthJson(health) } : {};
      out.print(JSON.stringify({ ...clusterJson(cluster, { ...target, security }, nodes), ...dask, ...(record?.client && { client: clientJson(record.client) }) }, null, 2));
    } else {
      const access = clusterAccessText(cluster, nodes, security !== false, record?.client, health && healthText(health));
      out.print(nodes.length ? `${nodesText(nodes, out)}\n${access}` : `${cluster}: no nodes found`);
    }
    return nodes.length ? 0 : 1;
  }
  const summaries: ClusterSummary[] = [];
  for (const target of targets) {
    const nodes = await (await loadProvider(target)).listNodes();
    summaries.push(...summarize(target, nodes));
  }
  if (out.json) out.print(JSON.stringify({ clusters: summaries }, null, 2));
  else out.print(clustersText(summaries, out));
  return 0;
}

function summarize(target: ProviderTarget, nodes: NodeInfo[]): ClusterSummary[] {
  const types = new Map(typesIn(target.provider, target.region).map((t) => [t.type, t]));
  const byCluster = new Map<string, ClusterSummary>();
  for (const n of nodes) {
    if (n.state === "terminated") continue;
    const c = byCluster.get(n.cluster) ?? { cluster: n.cluster, provider: target.provider, region: target.region, states: {}, hourly: 0 };
    c.states[n.state] = (c.states[n.state] ?? 0) + 1;
    if (n.state === "running" || n.state === "pending" || n.stillBilled) {
      const t = types.get(n.instanceType);
      c.hourly += (t ? priceOf(t, n.spot) ?? 0 : 0) + publicIpHourly(target.provider, n.spot);
    }
    byCluster.set(n.cluster, c);
  }
  return [...byCluster.values()].map((c) => ({ ...c, hourly: Math.round(c.hourly * 1e4) / 1e4 }));
}
