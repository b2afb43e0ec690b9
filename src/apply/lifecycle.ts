// stop / start / terminate on a cluster or some of its nodes. Decides, per node, whether the action applies;
// only nodes that can take it reach the provider, the rest are reported by name.
import type { NodeInfo, NodeResult, Progress, Provider } from "../providers/provider.js";
import { decide, type LifecycleVerb } from "./lifecycle-table.js";

export type { LifecycleVerb };

/** `worker-007` and `demo-worker-007` both name demo's worker 7. */
export function fullName(cluster: string, name: string): string {
  return name.startsWith(`${cluster}-`) ? name : `${cluster}-${name}`;
}

export async function runLifecycle(
  verb: LifecycleVerb,
  provider: Provider,
  cluster: string,
  names: string[],
  progress: Progress,
): Promise<NodeResult[]> {
  const nodes = await provider.listNodes(cluster);
  // Every VM reporting a name is kept: two live ones (a crash, a hand-made copy) are both acted on, never one
  // hidden behind the other. A terminated VM counts only when no live one carries its name (its live successor is
  // meant).
  const byName = new Map<string, NodeInfo[]>();
  for (const n of nodes) byName.set(n.name, [...(byName.get(n.name) ?? []), n]);
  for (const [name, all] of byName) {
    const live = all.filter((n) => n.state !== "terminated");
    byName.set(name, live.length ? live : all.slice(0, 1));
  }
  const wanted = names.length ? [...new Set(names.map((n) => fullName(cluster, n)))] : [...byName.keys()];
  const results: NodeResult[] = [];
  const act: NodeInfo[] = [];
  for (const name of wanted) {
    const found = byName.get(name) ?? [];
    if (!found.length || (found[0].state === "terminated" && (verb !== "terminate" || !names.length))) {
      if (names.length) results.push({ name, ok: false, message: "not found" });
      continue;
    }
    for (const node of found) {
      const d = decide(verb, node);
      if (d.act) act.push(node);
      else results.push({ name, ok: d.ok, message: d.message, node });
    }
  }
  if (act.length) results.push(...(await provider[verb](act, progress)));
  return results;
}
