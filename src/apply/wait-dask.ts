// `up` waits for Dask, not for VMs: until the scheduler answers and a worker of every worker node has registered,
// bounded by a timeout. The only way in is the dashboard URL (tests point it at a real scheduler on loopback).
import { UsageError } from "../errors.js";
import { parseDuration } from "../spec/duration.js";
import { pollUntil } from "../wait.js";
import type { NodeInfo } from "../providers/provider.js";
import { ProbeError, schedulerHealthy } from "./dask-http.js";
import { joinedNodes } from "./joined-nodes.js";

/** Default bound of the wait: a fresh Ubuntu image installs Dask from PyPI in a few minutes. */
export const DEFAULT_WAIT_TIMEOUT = "15m";
export const WAIT_TIMEOUT_ENV = "CLOUDLAUNCH_WAIT_TIMEOUT";

export interface WaitDaskOptions {
  dashboardUrl: string;
  /** The worker nodes that should each have at least one worker process registered. */
  workers: NodeInfo[];
  timeoutMs: number;
  pollMs?: number;
  requestTimeoutMs?: number;
  /** Nothing but timeouts for this long (never an answer, never a refusal): this machine cannot reach the dashboard. */
  unreachableAfterMs?: number;
  onProgress?(progress: { schedulerUp: boolean; connected: number; expected: number }): void;
  /** The scheduler node, for failedNodes while it does not answer. */
  scheduler?: NodeInfo;
  /**
   * Which of these nodes are known to have failed their bootstrap (their console says so): a failed bootstrap never
   * recovers by itself, so once every node still missing has failed there is nothing left to wait for.
   */
  failedNodes?(waitingFor: NodeInfo[]): Promise<string[]>;
  /** How often failedNodes is asked (it reads consoles through the cloud's API). */
  checkEveryMs?: number;
}

export interface DaskWaitResult {
  /** failed: every node still missing (or the scheduler) failed its bootstrap, before the timeout. */
  outcome: "ready" | "timeout" | "unreachable" | "failed";
  schedulerUp: boolean;
  /** How many worker nodes have joined (see joinedNodes). */
  joined: number;
  connected: NodeInfo[];
  /** Not seen in the scheduler's list of workers. */
  missing: NodeInfo[];
  /** Why the last probe failed, when it did. */
  reason?: string;
  /** Nodes whose console says their bootstrap failed. */
  failed: string[];
}

/**
 * A VM whose OS has not brought its network up yet does not answer either, but within a minute or two it answers
 * (with a refusal until Dask listens); a firewall that drops this machine's packets never does.
 */
const UNREACHABLE_AFTER_MS = 120_000;
const CHECK_CONSOLES_EVERY_MS = 30_000;

export async function waitForDask(o: WaitDaskOptions): Promise<DaskWaitResult> {
  const pollMs = o.pollMs ?? 3000;
  const requestTimeoutMs = o.requestTimeoutMs ?? 5000;
  const started = Date.now();
  let everAnswered = false;
  let schedulerUp = false;
  let connected = new Set<string>();
  let count = 0;
  let reason: string | undefined;
  let last = "";
  const failed = new Set<string>();
  let nextCheck = started + (o.checkEveryMs ?? CHECK_CONSOLES_EVERY_MS);
  const result = (outcome: DaskWaitResult["outcome"]): DaskWaitResult => ({
    failed: [...failed],
    outcome,
    schedulerUp,
    joined: count,
    connected: o.workers.filter((n) => connected.has(n.name)),
    missing: o.workers.filter((n) => !connected.has(n.name)),
    reason,
  });
  return pollUntil(
    async () => {
      try {
        await schedulerHealthy(o.dashboardUrl, requestTimeoutMs);
        schedulerUp = everAnswered = true;
        ({ names: connected, count } = await joinedNodes(o.dashboardUrl, o.workers, requestTimeoutMs));
        reason = undefined;
      } catch (err) {
        if (!(err instanceof ProbeError)) throw err;
        schedulerUp = false;
        reason = err.message;
        if (err.failure !== "timeout") everAnswered ||= err.failure !== "unroutable";
        if (err.failure === "unroutable" && !everAnswered) return result("unreachable");
        if (
          err.failure === "timeout" &&
          !everAnswered &&
          Date.now() - started >= (o.unreachableAfterMs ?? UNREACHABLE_AFTER_MS)
        )
          return result("unreachable");
      }
      const state = `${schedulerUp}/${count}`;
      if (state !== last) o.onProgress?.({ schedulerUp, connected: count, expected: o.workers.length });
      last = state;
      if (schedulerUp && count === o.workers.length) return result("ready");
      if (o.failedNodes && Date.now() >= nextCheck) {
        const waitingFor = schedulerUp
          ? o.workers.filter((n) => !connected.has(n.name))
          : o.scheduler
            ? [o.scheduler]
            : [];
        const unknown = waitingFor.filter((n) => !failed.has(n.name));
        for (const name of unknown.length ? await o.failedNodes(unknown) : []) failed.add(name);
        if (waitingFor.length && waitingFor.every((n) => failed.has(n.name))) return result("failed");
        nextCheck = Date.now() + (o.checkEveryMs ?? CHECK_CONSOLES_EVERY_MS);
      }
      return undefined;
    },
    { intervalMs: pollMs, timeoutMs: o.timeoutMs, onTimeout: () => result("timeout") },
  );
}

/** "90s", "15m", "1h" or plain seconds; 0 means do not wait. */
export function parseWaitTimeout(text: string, source: string): number {
  const seconds = parseDuration(text, "smh");
  if (seconds === undefined)
    throw new UsageError(`${source}: expected a duration like 90s, 15m or 1h, got ${JSON.stringify(text)}`);
  return Math.round(seconds * 1000);
}
