// Clusters and nodes as the cloud reports them, and how to reach a running cluster.
import type { NodeInfo, NodeState } from "../providers/provider.js";
import type { ProviderTarget } from "../providers/index.js";
import { clientTlsFiles, connectionSnippet } from "../bootstrap/index.js";
import { table, usd, type Output } from "./output.js";
import { clientContractText, type ClientContract } from "../bootstrap/client-contract.js";

export function nodeJson(n: NodeInfo) {
  return {
    name: n.name, role: n.role, id: n.id, state: n.state, instance_type: n.instanceType, zone: n.zone ?? null,
    public_ip: n.publicIp ?? null, private_ip: n.privateIp ?? null, launch_time: n.launchTime ?? null, spot: n.spot,
    ...(n.stillBilled && { still_billed: true }),
  };
}

export function schedulerAddresses(nodes: NodeInfo[], tls: boolean) {
  const s = nodes.find((n) => n.role === "scheduler" && n.state === "running" && n.publicIp);
  if (!s) return undefined;
  return { scheduler: `${tls ? "tls" : "tcp"}://${s.publicIp}:8786`, dashboard: `http://${s.publicIp}:8787` };
}

export function clusterJson(cluster: string, target: ProviderTarget & { security?: boolean }, nodes: NodeInfo[]) {
  const tls = target.security !== false;
  const addresses = schedulerAddresses(nodes, tls);
  return {
    cluster, provider: target.provider, region: target.region,
    ...addresses,
    ...(addresses && { connect: connectionSnippet(addresses.scheduler, tls ? clientTlsFiles(cluster) : undefined) }),
    ...(tls && { tls: clientTlsFiles(cluster) }),
    nodes: nodes.map(nodeJson),
  };
}

export function nodesText(nodes: NodeInfo[], out: Output): string {
  return table(
    ["name", "role", "id", "state", "type", "zone", "public IP", "private IP", "launched"],
    nodes.map((n) => [n.name, n.role, n.id, n.stillBilled ? `${n.state} (still billed: run stop)` : n.state, n.instanceType, n.zone ?? "", n.publicIp ?? "", n.privateIp ?? "", n.launchTime ?? ""]),
    out.color,
  );
}

export function clusterAccessText(cluster: string, nodes: NodeInfo[], tls = true, client?: ClientContract, health?: string): string {
  const a = schedulerAddresses(nodes, tls);
  if (!a) return `${cluster}: the scheduler is not running`;
  return [
    `Dask scheduler: ${a.scheduler}`,
    `Dashboard:      ${a.dashboard}`,
    ...(health ? [health] : []),
    "",
    ...(client ? [clientContractText(client), ""] : []),
    "Connect from Python:",
    connectionSnippet(a.scheduler, tls ? clientTlsFiles(cluster) : undefined).replace(/^/gm, "    "),
  ].join("\n");
}

export interface ClusterSummary {
  cluster: string;
  provider: string;
  region: string;
  states: Partial<Record<NodeState, number>>;
  hourly: number;
}

export function clustersText(clusters: ClusterSummary[], out: Output): string {
  if (!clusters.length) return "no cloudlaunch clusters found";
  return table(
    ["cluster", "cloud", "region", "nodes", "$/hour (compute + IPs)"],
    clusters.map((c) => [
      c.cluster, c.provider, c.region,
      Object.entries(c.states).map(([s, k]) => `${k} ${s}`).join(", "),
      usd(c.hourly),
    ]),
    out.color,
  );
}
