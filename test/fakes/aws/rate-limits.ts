// EC2's documented API throttling: one request token bucket per action (sized by the action's category, or its own
// "uncategorized" size) plus resource token buckets for the instance-lifecycle actions, which cost one token per
// instance. Both must hold enough tokens or the call fails with RequestLimitExceeded.
// Reference: https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
// ("Request token bucket sizes and refill rates", "Resource token bucket sizes and refill rates").
import { type BucketSize, TokenBucket } from "../../../src/token-bucket.js";

const NON_MUTATING: BucketSize = { capacity: 100, refillPerSecond: 20 };
/** Describe calls of these actions without a filter and without pagination draw from a smaller bucket. */
const UNFILTERED_UNPAGINATED: BucketSize = { capacity: 50, refillPerSecond: 10 };
const MUTATING: BucketSize = { capacity: 50, refillPerSecond: 5 };
const RESOURCE_INTENSIVE: BucketSize = { capacity: 50, refillPerSecond: 5 };

const UNFILTERED_ACTIONS = new Set([
  "DescribeInstances",
  "DescribeInstanceStatus",
  "DescribeNetworkInterfaces",
  "DescribeSecurityGroups",
  "DescribeSnapshots",
  "DescribeSpotInstanceRequests",
  "DescribeVolumes",
]);

const RESOURCE_INTENSIVE_ACTIONS = new Set([
  "AuthorizeSecurityGroupIngress",
  "RevokeSecurityGroupIngress",
  "CreateKeyPair",
  "RequestSpotInstances",
  "CancelSpotInstanceRequests",
]);

/** The uncategorized actions the fake serves, with their own sizes from the documented table. */
const UNCATEGORIZED: Record<string, BucketSize> = {
  RunInstances: { capacity: 5, refillPerSecond: 2 },
  StartInstances: { capacity: 5, refillPerSecond: 2 },
  TerminateInstances: { capacity: 100, refillPerSecond: 5 },
  CreateTags: { capacity: 100, refillPerSecond: 10 },
  DeleteTags: { capacity: 100, refillPerSecond: 10 },
  CreateVolume: { capacity: 100, refillPerSecond: 5 },
  DeleteVolume: { capacity: 100, refillPerSecond: 5 },
};

const RESOURCE_BUCKETS: Record<string, BucketSize> = {
  RunInstances: { capacity: 1000, refillPerSecond: 2 },
  TerminateInstances: { capacity: 1000, refillPerSecond: 20 },
  StartInstances: { capacity: 1000, refillPerSecond: 2 },
  StopInstances: { capacity: 1000, refillPerSecond: 20 },
};

const isNonMutating = (action: string) => /^(Describe|List|Search|Get)/.test(action);

export class Ec2RateLimits {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly clock: () => number = Date.now) {}

  /**
   * Whether a call may proceed; consumes its tokens when it may. `resources` is the number of instances a
   * lifecycle call affects; `unfilteredUnpaginated` selects the smaller bucket of the listed Describe actions.
   */
  admit(action: string, opts: { resources?: number; unfilteredUnpaginated?: boolean }, now = this.clock()): boolean {
    const smaller = opts.unfilteredUnpaginated && UNFILTERED_ACTIONS.has(action);
    const request = this.bucket(
      smaller ? `${action}#unfiltered` : action,
      smaller ? UNFILTERED_UNPAGINATED : requestSize(action),
      now,
    );
    const resourceSize = RESOURCE_BUCKETS[action];
    const resource = resourceSize && this.bucket(`${action}#resources`, resourceSize, now);
    const cost = opts.resources ?? 0;
    if (!request.has(1, now) || (resource && !resource.has(cost, now))) return false;
    request.take(1);
    resource?.take(cost);
    return true;
  }

  private bucket(key: string, size: BucketSize, now: number): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new TokenBucket(size, now)));
    return b;
  }
}

function requestSize(action: string): BucketSize {
  if (UNCATEGORIZED[action]) return UNCATEGORIZED[action];
  if (RESOURCE_INTENSIVE_ACTIONS.has(action)) return RESOURCE_INTENSIVE;
  return isNonMutating(action) ? NON_MUTATING : MUTATING;
}
