// The one polling/retry helper and the token bucket, on a clock that moves only when a wait sleeps: no real time.
import { TokenBucket } from "../../src/token-bucket.js";
import { WritePacer } from "../../src/providers/azure/write-pacer.js";
import { type Clock, pollUntil, retry } from "../../src/wait.js";

function fakeClock(start = 0): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe("pollUntil", () => {
  it("returns the first answer, sleeping the interval between rounds", async () => {
    const clock = fakeClock();
    const rounds: number[] = [];
    const check = async (round: number) => {
      rounds.push(round);
      return round === 2 ? "done" : undefined;
    };
    const answer = await pollUntil(check, { intervalMs: 100, clock });
    expect(answer).toBe("done");
    expect(rounds).toEqual([0, 1, 2]);
    expect(clock.slept).toEqual([100, 100]);
  });

  it("grows a backoff interval up to its maximum", async () => {
    const clock = fakeClock();
    await pollUntil(async (round) => (round === 5 ? true : undefined), {
      intervalMs: { initialMs: 200, factor: 1.5, maxMs: 500 },
      clock,
    });
    expect(clock.slept).toEqual([200, 300, 450, 500, 500]);
  });

  it("makes its last check when the bound is reached, then answers what onTimeout gives", async () => {
    const clock = fakeClock(1000);
    const checkedAt: number[] = [];
    const answer = await pollUntil(async () => void checkedAt.push(clock.now()), {
      intervalMs: 400,
      timeoutMs: 1000,
      onTimeout: () => "late",
      clock,
    });
    expect(answer).toBe("late");
    expect(checkedAt).toEqual([1000, 1400, 1800, 2000]);
  });

  it("throws what onTimeout throws, and what the check throws", async () => {
    const clock = fakeClock();
    await expect(
      pollUntil(async () => undefined, {
        intervalMs: 10,
        timeoutMs: 0,
        onTimeout: () => {
          throw new Error("named");
        },
        clock,
      }),
    ).rejects.toThrow("named");
    await expect(
      pollUntil(
        async () => {
          throw new Error("broken");
        },
        { intervalMs: 10, clock },
      ),
    ).rejects.toThrow("broken");
    expect(clock.slept).toEqual([]);
  });

  it("sleeps first when asked to", async () => {
    const clock = fakeClock();
    await pollUntil(async () => true, { intervalMs: 50, delayFirst: true, clock });
    expect(clock.slept).toEqual([50]);
  });

  it("stops when its signal is aborted", async () => {
    const clock = fakeClock();
    const abort = new AbortController();
    const polled = pollUntil(async (round) => (round === 1 ? abort.abort(new Error("cancelled")) : undefined), {
      intervalMs: 10,
      signal: abort.signal,
      clock,
    });
    await expect(polled).rejects.toThrow("cancelled");
  });

  it("sleeps for real through node:timers/promises without a clock", async () => {
    const answer = await pollUntil(async (round) => (round === 1 ? "ok" : undefined), { intervalMs: 1 });
    expect(answer).toBe("ok");
  });
});

describe("retry", () => {
  it("retries while the failure is retryable, with full-jitter capped exponential backoff", async () => {
    const clock = fakeClock();
    let calls = 0;
    const retried: number[] = [];
    const answer = await retry(
      async () => {
        if (++calls < 5) throw new Error(`try ${calls}`);
        return calls;
      },
      {
        baseMs: 100,
        maxMs: 1000,
        retryable: () => true,
        onRetry: (_err, attempt) => retried.push(attempt),
        random: () => 0.5,
        clock,
      },
    );
    expect(answer).toBe(5);
    expect(retried).toEqual([1, 2, 3, 4]);
    expect(clock.slept).toEqual([100, 200, 400, 500]);
  });

  it("throws the first failure that is not retried, as it came", async () => {
    const clock = fakeClock();
    const seen: [string, number][] = [];
    const failure = retry(
      async () => {
        throw new Error(seen.length < 2 ? "transient" : "final");
      },
      {
        baseMs: 1,
        maxMs: 1,
        retryable: (err, attempt) => {
          seen.push([(err as Error).message, attempt]);
          return (err as Error).message === "transient";
        },
        clock,
      },
    );
    await expect(failure).rejects.toThrow("final");
    expect(seen).toEqual([
      ["transient", 1],
      ["transient", 2],
      ["final", 3],
    ]);
  });
});

describe("TokenBucket", () => {
  it("starts full, refills with elapsed time up to its capacity, and tells how long to the next token", () => {
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 4 }, 0);
    bucket.take(2);
    expect(bucket.has(1, 0)).toBe(false);
    expect(bucket.msUntil(1, 0)).toBe(250);
    expect(bucket.secondsToNextToken(0)).toBe(1);
    expect(bucket.level(125)).toBeCloseTo(0.5);
    expect(bucket.level(10_000)).toBe(2);
  });

  it("believes a lower remaining count than its own, never a higher one", () => {
    const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 1 }, 0);
    bucket.observe(3, 0);
    expect(bucket.level(0)).toBe(3);
    bucket.observe(8, 0);
    expect(bucket.level(0)).toBe(3);
  });
});

describe("WritePacer", () => {
  it("sends the first writes at once, then paces them to the refill rate, in order", async () => {
    const clock = fakeClock();
    const pacer = new WritePacer({ capacity: 2, refillPerSecond: 10 }, clock);
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => pacer.take().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4]);
    expect(clock.slept).toEqual([100, 100]);
  });

  it("waits for the tokens Resource Manager says are left", async () => {
    const clock = fakeClock();
    const pacer = new WritePacer({ capacity: 200, refillPerSecond: 10 }, clock);
    pacer.observe(0);
    await pacer.take();
    expect(clock.slept).toEqual([100]);
  });
});
