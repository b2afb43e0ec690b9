// A token bucket as the clouds document their API throttling (EC2's request and resource buckets, Resource
// Manager's per-subscription buckets): `capacity` tokens, refilled continuously at `refillPerSecond`, computed
// lazily from the elapsed time. The Azure write pacer spends from one; the test fakes throttle with the same.

export interface BucketSize {
  capacity: number;
  refillPerSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly size: BucketSize,
    now: number,
  ) {
    this.tokens = size.capacity;
    this.updatedAt = now;
  }

  /** The tokens in the bucket at `now` (fractional while refilling). */
  level(now: number): number {
    this.tokens = Math.min(
      this.size.capacity,
      this.tokens + ((now - this.updatedAt) / 1000) * this.size.refillPerSecond,
    );
    this.updatedAt = now;
    return this.tokens;
  }

  has(n: number, now: number): boolean {
    return this.level(now) >= n;
  }

  take(n = 1): void {
    this.tokens -= n;
  }

  /** What someone else says is left (a cloud's remaining-requests header): never more than we count. */
  observe(remaining: number, now: number): void {
    this.tokens = Math.min(this.level(now), remaining);
  }

  /** Milliseconds until `n` tokens are in the bucket (0 when they are). */
  msUntil(n: number, now: number): number {
    return Math.max(0, Math.ceil(((n - this.level(now)) / this.size.refillPerSecond) * 1000));
  }

  /** Whole seconds until one token is back (at least 1), as a Retry-After header says it. */
  secondsToNextToken(now: number): number {
    return Math.max(1, Math.ceil((1 - this.level(now)) / this.size.refillPerSecond));
  }
}
