// What a cluster costs now and has cost since launch, from the nodes as the cloud lists them. Pure: `now` comes in.
// An estimate: list prices × running time, where running time starts at the launch time the cloud reports (EC2
// LaunchTime and GCP lastStartTimestamp reset on every start; Azure only reports timeCreated, so after a
// deallocate/start the stopped time counts too). Disks and traffic are left out.
import { priceOf } from "../catalog/select.js";
import type { InstanceType } from "../catalog/types.js";
import type { NodeInfo } from "../providers/provider.js";
import type { ProviderName } from "../spec/schema.js";
import { publicIpHourly } from "./pricing.js";

export interface RunningCost {
  /** Compute + public IPv4 of the nodes billed now, per hour. */
  hourly: number;
  /** Estimate: each billed node's hourly price × hours since its reported launch time. */
  sinceLaunch: number;
  /** The earliest launch time among the billed nodes (ISO 8601), or null when none is billed. */
  since: string | null;
  /** Billed nodes whose type the catalog does not price (counted as $0). */
  unpriced: string[];
}

const isBilled = (n: NodeInfo) => n.state === "running" || n.state === "pending" || !!n.stillBilled;

export function runningCost(provider: ProviderName, nodes: NodeInfo[], types: InstanceType[], now: Date): RunningCost {
  const byType = new Map(types.map((t) => [t.type, t]));
  let hourly = 0;
  let sinceLaunch = 0;
  let since: number | undefined;
  const unpriced: string[] = [];
  for (const n of nodes.filter(isBilled)) {
    const type = byType.get(n.instanceType);
    if (!type) unpriced.push(n.name);
    const price = (type ? (priceOf(type, n.spot) ?? 0) : 0) + publicIpHourly(provider, n.spot);
    hourly += price;
    const launched = n.launchTime ? Date.parse(n.launchTime) : NaN;
    if (Number.isNaN(launched)) continue;
    sinceLaunch += (price * Math.max(0, now.getTime() - launched)) / 3_600_000;
    since = Math.min(since ?? launched, launched);
  }
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    hourly: round(hourly),
    sinceLaunch: round(sinceLaunch),
    since: since === undefined ? null : new Date(since).toISOString(),
    unpriced,
  };
}
