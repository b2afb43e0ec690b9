// stop / start / terminate on a cluster or some of its nodes. Decides, per node, whether the action applies;
// only nodes that can take it reach the provider, the rest are reported by name.
import type { NodeInfo, NodeResult, Progress, Provider } from "../providers/provider.js";
import { decide, type LifecycleVerb } from "./lifecycle-table.js";

export type { LifecycleVerb };

/** `worker-007` and `demo-worker-007` both name demo's worker 7. */
export function fullName(cluster: string, name: string): string {
  return name.startsWith(`${cluster}-`) ? name : `${cluster}-${name}`;
}

export async function runLifecycle(verb: LifecycleVerb, provider: Provider, cluster: string, names: string[], progress: Progress): Promise<NodeResult[]> {
  const nodes = await provider.listNodes(cluster);
  // A name can belong to a terminated node and to its live successor; the live one is meant.
  const byName = new Map<string, NodeInfo>();
  for (const n of nodes) if (!byName.has(n.name) || n.state !== "terminated") byName.set(n.name, n);
  const wanted = names.length ? names.map((n) => fullName(cluster, n)) : [...byName.keys()];
  const results: NodeResult[] = [];
  const act: NodeInfo[] = [];
  for (const name of wanted) {
    const node = byName.get(name);
    if (!node || (node.state === "terminated" && (verb !== "terminate" || !names.length))) {
      if (names.length) results.push({ name, ok: false, message: "not found" });
    } else {
      const d = decide(verb, node);
      if (d.act) act.push(node);
      else results.push({ name, ok: d.ok, message: d.message, node });
    }
  }
  if (act.length) results.push(...(await provider[verb](act, progress)));
  return results;
}
