// The end of `up`: how long to wait for Dask (--no-wait, --wait-timeout, CLOUDLAUNCH_WAIT_TIMEOUT), the wait itself
// with its progress lines, and whether the outcome is a usable cluster (exit 0) or not (exit 1).
import { awaitCluster, type ReadyReport } from "../apply/cluster-ready.js";
import { DEFAULT_WAIT_TIMEOUT, daskProbeEnabled, parseWaitTimeout, WAIT_TIMEOUT_ENV } from "../apply/wait-dask.js";
import type { NodeInfo, Provider } from "../providers/provider.js";
import { progressText } from "../render/dask.js";
import type { Output } from "../render/output.js";

export interface WaitSetting {
  timeoutMs: number;
  /** As the user wrote it, for messages. */
  label: string;
}

export function waitTimeout(options: { wait?: boolean; waitTimeout?: string }, env = process.env): WaitSetting {
  if (options.wait === false || !daskProbeEnabled(env)) return { timeoutMs: 0, label: "0s" };
  const [text, source] =
    options.waitTimeout !== undefined
      ? [options.waitTimeout, "--wait-timeout"]
      : [env[WAIT_TIMEOUT_ENV] ?? DEFAULT_WAIT_TIMEOUT, WAIT_TIMEOUT_ENV];
  return { timeoutMs: parseWaitTimeout(text, source), label: text.trim() };
}

export async function waitForDaskCluster(
  provider: Provider,
  cluster: string,
  nodes: NodeInfo[],
  wait: WaitSetting,
  out: Output,
): Promise<ReadyReport | undefined> {
  if (wait.timeoutMs <= 0) return undefined;
  out.info(`waiting up to ${wait.label} for Dask (--wait-timeout, ${WAIT_TIMEOUT_ENV}; --no-wait skips this)`);
  return awaitCluster(provider, nodes, {
    timeoutMs: wait.timeoutMs,
    pollMs: Number(process.env.CLOUDLAUNCH_WAIT_POLL_MS) || undefined,
    checkConsolesEveryMs: Number(process.env.CLOUDLAUNCH_WAIT_CONSOLE_CHECK_MS) || undefined,
    onProgress: (p) => out.info(`${cluster}: ${progressText(p)}`),
  });
}

/** Ready, or unreachable from here with no node saying its bootstrap failed: the cloud's view is all we have. */
export function isUsable(r: ReadyReport): boolean {
  return r.outcome === "ready" || (r.outcome === "unreachable" && !r.nodes.some((n) => n.failed));
}
