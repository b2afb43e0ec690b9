// Paces Resource Manager writes to the subscription's documented write bucket (200 requests, refilled at 10 a
// second, per region and principal) so a large launch is not answered with 429s and retried. The local count is
// kept honest by the x-ms-ratelimit-remaining-subscription-writes header of every answer: other clients (or an
// earlier run) may have used some of the bucket.
// https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
import type { ComputeManagementClient } from "@azure/arm-compute";

type PipelinePolicy = Parameters<ComputeManagementClient["pipeline"]["addPolicy"]>[0];

export const ARM_WRITE_BUCKET = { capacity: 200, refillPerSecond: 10 };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class WritePacer {
  private tokens: number;
  private updatedAt = Date.now();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly size = ARM_WRITE_BUCKET) {
    this.tokens = size.capacity;
  }

  /** Resolves when one write may be sent; callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const level = this.refill();
        if (level >= 1) break;
        await sleep(Math.ceil(((1 - level) / this.size.refillPerSecond) * 1000));
      }
      this.tokens -= 1;
    });
    this.queue = turn;
    return turn;
  }

  /** What Resource Manager says remains of the bucket after a write it answered. */
  observe(remaining: number) {
    this.refill();
    this.tokens = Math.min(this.tokens, remaining);
  }

  /** A pipeline policy reading the remaining-writes header of every answer. */
  policy(): PipelinePolicy {
    return {
      name: "cloudlaunchArmWritePacer",
      sendRequest: async (request, next) => {
        const response = await next(request);
        const remaining = Number(response.headers.get("x-ms-ratelimit-remaining-subscription-writes"));
        if (response.headers.has("x-ms-ratelimit-remaining-subscription-writes") && Number.isFinite(remaining))
          this.observe(remaining);
        return response;
      },
    };
  }

  private refill(): number {
    const now = Date.now();
    this.tokens = Math.min(
      this.size.capacity,
      this.tokens + ((now - this.updatedAt) / 1000) * this.size.refillPerSecond,
    );
    this.updatedAt = now;
    return this.tokens;
  }
}
