// The one way to wait: poll until a check answers (or a bound passes), and retry a call with capped exponential
// backoff and full jitter. The SDKs retry their own transient failures (the EC2 client's retry strategy, Azure's
// pipeline, Compute's long-running operations): these are for what they leave to us — state changes, throttled
// mutations, a security group still in use.
import { setTimeout as sleepFor } from "node:timers/promises";

/** Time as the waits see it; tests pass one that moves only when a wait sleeps. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepFor(ms, undefined, { signal }),
};

/** A fixed interval, or one that starts at `initialMs` and grows by `factor` up to `maxMs`. */
type Interval = number | { initialMs: number; factor: number; maxMs: number };

export interface PollOptions<T> {
  intervalMs: Interval;
  /** The bound, from the first check; without it the poll goes on until the check answers (or throws). */
  timeoutMs?: number;
  /** What the poll answers (or throws) once timeoutMs has passed without an answer. */
  onTimeout?: () => T | Promise<T>;
  /** Sleep one interval before the first check (when nothing can have changed yet). */
  delayFirst?: boolean;
  signal?: AbortSignal;
  clock?: Clock;
}

/**
 * Calls `check` until it answers something other than undefined, sleeping the interval between rounds (never past
 * the bound: the last check is made when the bound is reached). `round` counts from 0.
 */
export async function pollUntil<T>(check: (round: number) => Promise<T | undefined>, o: PollOptions<T>): Promise<T> {
  const clock = o.clock ?? systemClock;
  const interval =
    typeof o.intervalMs === "number" ? { initialMs: o.intervalMs, factor: 1, maxMs: o.intervalMs } : o.intervalMs;
  let delay = interval.initialMs;
  if (o.delayFirst) await clock.sleep(delay, o.signal);
  const deadline = o.timeoutMs === undefined ? Number.POSITIVE_INFINITY : clock.now() + o.timeoutMs;
  for (let round = 0; ; round++) {
    o.signal?.throwIfAborted();
    const answer = await check(round);
    if (answer !== undefined) return answer;
    const left = deadline - clock.now();
    if (left <= 0) {
      if (o.onTimeout) return o.onTimeout();
      throw new Error(`gave up after ${o.timeoutMs} ms`);
    }
    await clock.sleep(Math.min(delay, left), o.signal);
    delay = Math.min(delay * interval.factor, interval.maxMs);
  }
}

export interface RetryOptions {
  /** Whether the failure of attempt `attempt` (from 1) is worth another attempt. */
  retryable(err: unknown, attempt: number): boolean;
  /** Backoff before attempt n+1: a random time up to min(maxMs, baseMs * 2^n) ("full jitter"). */
  baseMs: number;
  maxMs: number;
  onRetry?(err: unknown, attempt: number): void;
  signal?: AbortSignal;
  clock?: Clock;
  random?: () => number;
}

/** Runs `call` until it succeeds or its failure is not retryable; that failure is thrown as it came. */
export async function retry<T>(call: () => Promise<T>, o: RetryOptions): Promise<T> {
  const clock = o.clock ?? systemClock;
  const random = o.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!o.retryable(err, attempt)) throw err;
      o.onRetry?.(err, attempt);
      await clock.sleep(random() * Math.min(o.maxMs, o.baseMs * 2 ** attempt), o.signal);
    }
  }
}
