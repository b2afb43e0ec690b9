// Paces Resource Manager writes to the subscription's documented write bucket (200 requests, refilled at 10 a
// second, per region and principal) so a large launch is not answered with 429s and retried. The local count is
// kept honest by the x-ms-ratelimit-remaining-subscription-writes header of every answer: other clients (or an
// earlier run) may have used some of the bucket.
// https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
import type { ComputeManagementClient } from "@azure/arm-compute";
import { type BucketSize, TokenBucket } from "../../token-bucket.js";
import { type Clock, systemClock } from "../../wait.js";

type PipelinePolicy = Parameters<ComputeManagementClient["pipeline"]["addPolicy"]>[0];

const ARM_WRITE_BUCKET: BucketSize = { capacity: 200, refillPerSecond: 10 };

export class WritePacer {
  private readonly bucket: TokenBucket;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    size = ARM_WRITE_BUCKET,
    private readonly clock: Clock = systemClock,
  ) {
    this.bucket = new TokenBucket(size, clock.now());
  }

  /** Resolves when one write may be sent; callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (
        let wait = this.bucket.msUntil(1, this.clock.now());
        wait > 0;
        wait = this.bucket.msUntil(1, this.clock.now())
      )
        await this.clock.sleep(wait);
      this.bucket.take();
    });
    this.queue = turn;
    return turn;
  }

  /** What Resource Manager says remains of the bucket after a write it answered. */
  observe(remaining: number) {
    this.bucket.observe(remaining, this.clock.now());
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
}
