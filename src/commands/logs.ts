// logs <cluster> [node] [--tail N]: a node's boot (serial console) log through the cloud's API, or the last lines of
// every node's. The bootstrap writes one "cloudlaunch: ..." line per step there, so the log says where it stopped.
import { UsageError } from "../errors.js";
import { fullName } from "../apply/lifecycle.js";
import { readLogs } from "../apply/console-log.js";
import { loadProvider } from "../providers/index.js";
import { makeOutput } from "../render/output.js";
import { nodeJson } from "../render/status.js";
import { resolveTargets, type TargetFlags } from "./target.js";
import type { Settings } from "../settings.js";

/** Without a node name every node is shown; this many lines each unless --tail says otherwise. */
const DEFAULT_TAIL_ALL = 20;

export async function logs(
  cluster: string,
  node: string | undefined,
  options: TargetFlags & { json?: boolean; tail?: string },
  settings: Settings,
): Promise<number> {
  const out = makeOutput(!!options.json);
  const tail = options.tail === undefined ? (node ? 0 : DEFAULT_TAIL_ALL) : Number(options.tail);
  if (!Number.isInteger(tail) || tail < 0)
    throw new UsageError(`--tail must be a whole number of lines, got ${options.tail}`);
  const provider = await loadProvider(resolveTargets(cluster, options, settings)[0], settings);
  const nodes = (await provider.listNodes(cluster)).filter((n) => n.state !== "terminated");
  const chosen = node ? nodes.filter((n) => n.name === fullName(cluster, node)) : nodes;
  if (!chosen.length) {
    const known = nodes.map((n) => n.name.replace(`${cluster}-`, "")).join(", ");
    throw new UsageError(
      node ? `${cluster} has no node ${node}${known ? ` (nodes: ${known})` : ""}` : `${cluster}: no nodes found`,
    );
  }
  const results = await readLogs(provider, chosen, tail);
  if (out.json) {
    out.print(
      JSON.stringify(
        { cluster, logs: results.map((r) => ({ node: nodeJson(r.node), lines: r.lines, error: r.error ?? null })) },
        null,
        2,
      ),
    );
  } else {
    for (const r of results) {
      if (!node) out.print(`==> ${r.node.name} (${r.node.role}, ${r.node.state}) <==`);
      if (r.error) out.warn(`${r.node.name}: ${r.error}`);
      else if (!r.lines.length)
        out.print(
          `(no console output yet: ${provider.name === "aws" ? "EC2 posts it a few minutes after boot" : "the node has written nothing"})`,
        );
      else out.print(r.lines.join("\n"));
    }
  }
  return results.some((r) => r.error) ? 1 : 0;
}
