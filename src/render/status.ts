// Clusters and nodes as the cloud reports them, and how to reach a running cluster.
import type { NodeInfo, NodeState } from "../providers/provider.js";
import type { ProviderTarget } from "../providers/index.js";
import { clientTlsFiles, connectionSnippet, DASK_DASHBOARD_PORT, DASK_SCHEDULER_PORT } from "../bootstrap/index.js";
import type { RunningCost } from "../plan/running-cost.js";
import { table, usd, type Output } from "./output.js";
import { clientContractText, type ClientContract } from "../bootstrap/client-contract.js";

export function nodeJson(n: NodeInfo) {
  return {
    name: n.name,
    role: n.role,
    id: n.id,
    state: n.state,
    instance_type: n.instanceType,
    zone: n.zone ?? null,
    public_ip: n.publicIp ?? null,
    private_ip: n.privateIp ?? null,
    launch_time: n.launchTime ?? null,
    spot: n.spot,
    ...(n.stillBilled && { still_billed: true }),
  };
}

function schedulerAddresses(nodes: NodeInfo[], tls: boolean) {
  const s = nodes.find((n) => n.role === "scheduler" && n.state === "running" && n.publicIp);
  if (!s) return undefined;
  return {
    scheduler: `${tls ? "tls" : "tcp"}://${s.publicIp}:${DASK_SCHEDULER_PORT}`,
    dashboard: `http://${s.publicIp}:${DASK_DASHBOARD_PORT}`,
  };
}

/** `home`: Settings.home, where the client's TLS files are. */
export function clusterJson(
  cluster: string,
  target: ProviderTarget & { security?: boolean },
  nodes: NodeInfo[],
  home: string,
) {
  const tls = target.security !== false;
  const addresses = schedulerAddresses(nodes, tls);
  return {
    cluster,
    provider: target.provider,
    region: target.region,
    ...addresses,
    ...(addresses && {
      connect: connectionSnippet(addresses.scheduler, tls ? clientTlsFiles(cluster, home) : undefined),
    }),
    ...(tls && { tls: clientTlsFiles(cluster, home) }),
    nodes: nodes.map(nodeJson),
  };
}

export function nodesText(nodes: NodeInfo[], out: Output): string {
  return table(
    ["name", "role", "id", "state", "type", "zone", "public IP", "private IP", "launched"],
    nodes.map((n) => [
      n.name,
      n.role,
      n.id,
      n.stillBilled ? `${n.state} (still billed: run stop)` : n.state,
      n.instanceType,
      n.zone ?? "",
      n.publicIp ?? "",
      n.privateIp ?? "",
      n.launchTime ?? "",
    ]),
    out.color,
  );
}

export function clusterAccessText(
  cluster: string,
  nodes: NodeInfo[],
  home: string,
  tls = true,
  client?: ClientContract,
  health?: string,
): string {
  const a = schedulerAddresses(nodes, tls);
  if (!a) return `${cluster}: the scheduler is not running`;
  return [
    `Dask scheduler: ${a.scheduler}`,
    `Dashboard:      ${a.dashboard}`,
    ...(health ? [health] : []),
    "",
    ...(client ? [clientContractText(client), ""] : []),
    "Connect from Python:",
    connectionSnippet(a.scheduler, tls ? clientTlsFiles(cluster, home) : undefined).replace(/^/gm, "    "),
  ].join("\n");
}

export interface ClusterSummary {
  cluster: string;
  provider: string;
  region: string;
  states: Partial<Record<NodeState, number>>;
  hourly: number;
  /** List prices × running time since each billed node's reported launch: an estimate, not a bill. */
  estimated_cost_since_launch: number;
  billed_since: string | null;
}

export function clustersText(clusters: ClusterSummary[], out: Output): string {
  if (!clusters.length) return "no cloudlaunch clusters found";
  return table(
    ["cluster", "cloud", "region", "nodes", "$/hour (compute + IPs)", "since launch (estimate)"],
    clusters.map((c) => [
      c.cluster,
      c.provider,
      c.region,
      Object.entries(c.states)
        .map(([s, k]) => `${k} ${s}`)
        .join(", "),
      usd(c.hourly),
      c.billed_since
        ? `~${usd(c.estimated_cost_since_launch)} since ${c.billed_since.slice(0, 16).replace("T", " ")} UTC`
        : "-",
    ]),
    out.color,
  );
}

export function costJson(c: RunningCost) {
  return {
    hourly: c.hourly,
    estimated_since_launch: c.sinceLaunch,
    billed_since: c.since,
    estimate: true,
    basis: "list prices of compute and public IPv4 x running time since the launch time the cloud reports",
    ...(c.unpriced.length && { unpriced_nodes: c.unpriced }),
  };
}

export function costText(c: RunningCost): string {
  if (!c.since) return `Cost: ${usd(c.hourly)}/hour now (compute + IPs); nothing billed is running`;
  const unpriced = c.unpriced.length
    ? `; ${c.unpriced.length} node(s) of a type the catalog does not price count as $0`
    : "";
  return (
    `Cost: ${usd(c.hourly)}/hour now (compute + IPs); ~${usd(c.sinceLaunch)} since ${c.since} ` +
    `(estimate: list prices × running time as the cloud reports it${unpriced})`
  );
}
