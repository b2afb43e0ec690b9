// The end of `up`: how long to wait for Dask (--no-wait, --wait-timeout, CLOUDLAUNCH_WAIT_TIMEOUT), the wait itself
// with its progress lines, and whether the outcome is a usable cluster (exit 0) or not (exit 1).
import { awaitCluster, type ReadyReport } from "../apply/cluster-ready.js";
import { DEFAULT_WAIT_TIMEOUT, parseWaitTimeout, WAIT_TIMEOUT_ENV } from "../apply/wait-dask.js";
import type { NodeInfo, Provider } from "../providers/provider.js";
import { progressText } from "../render/dask.js";
import type { Output } from "../render/output.js";
import type { Settings } from "../settings.js";

export interface WaitSetting {
  timeoutMs: number;
  /** As the user wrote it, for messages. */
  label: string;
}

export function waitTimeout(options: { wait?: boolean; waitTimeout?: string }, dask: Settings["dask"]): WaitSetting {
  if (options.wait === false || !dask.probe) return { timeoutMs: 0, label: "0s" };
  const [text, source] =
    options.waitTimeout !== undefined
      ? [options.waitTimeout, "--wait-timeout"]
      : [dask.waitTimeout ?? DEFAULT_WAIT_TIMEOUT, WAIT_TIMEOUT_ENV];
  return { timeoutMs: parseWaitTimeout(text, source), label: text.trim() };
}

export async function waitForDaskCluster(
  provider: Provider,
  cluster: string,
  nodes: NodeInfo[],
  wait: WaitSetting,
  out: Output,
  dask: Settings["dask"],
): Promise<ReadyReport | undefined> {
  if (wait.timeoutMs <= 0) return undefined;
  out.info(`waiting up to ${wait.label} for Dask (--wait-timeout, ${WAIT_TIMEOUT_ENV}; --no-wait skips this)`);
  return awaitCluster(provider, nodes, {
    timeoutMs: wait.timeoutMs,
    pollMs: dask.pollMs,
    checkConsolesEveryMs: dask.checkConsolesEveryMs,
    onProgress: (p) => out.info(`${cluster}: ${progressText(p)}`),
  });
}

/** Ready, or unreachable from here with no node saying its bootstrap failed: the cloud's view is all we have. */
export function isUsable(r: ReadyReport): boolean {
  return r.outcome === "ready" || (r.outcome === "unreachable" && !r.nodes.some((n) => n.failed));
}
