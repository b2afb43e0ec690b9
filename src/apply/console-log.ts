// Reading nodes' boot logs for `logs` and for `up`'s report of nodes that did not join: the cloud's console text,
// trimmed to its last lines, with the bootstrap's own step lines ("cloudlaunch: ...") easy to pick out.
import type { NodeInfo, Provider } from "../providers/provider.js";

/** The last `n` lines (a console log ends with a newline or a half-written line; neither counts as an empty line). */
export function lastLines(text: string, n: number): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return n > 0 ? lines.slice(-n) : lines;
}

/** Where the bootstrap stopped, from its step lines: the failure line if any, else the last step it reached. */
export function lastBootstrapStep(text: string): string | undefined {
  const steps = lastLines(text, 0).filter((l) => /cloudlaunch: /.test(l));
  return steps.find((l) => /bootstrap failed at/.test(l)) ?? steps.at(-1);
}

export interface NodeLog {
  node: NodeInfo;
  lines: string[];
  /** Set when the cloud could not give the log; the other nodes' logs are still shown. */
  error?: string;
}

/** Each node's last `tail` lines, a few nodes at a time (each cloud call is one request per node). */
export async function readLogs(
  provider: Provider,
  nodes: NodeInfo[],
  tail: number,
  concurrency = 4,
): Promise<NodeLog[]> {
  const results: NodeLog[] = new Array(nodes.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < nodes.length; i = next++) {
      try {
        results[i] = { node: nodes[i], lines: lastLines(await provider.consoleOutput(nodes[i]), tail) };
      } catch (err) {
        results[i] = { node: nodes[i], lines: [], error: (err as Error).message };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, nodes.length) }, worker));
  return results;
}
