// Azure's documented request throttling, as token buckets. Two levels, both must admit a call:
// - Resource Manager, per subscription (and principal) and region, by operation type: reads 250 + 25/s, writes
//   200 + 10/s, deletes 200 + 10/s. A 429 answers Retry-After; every answer carries x-ms-ratelimit-remaining-
//   subscription-{reads,writes,deletes}.
//   https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
// - Microsoft.Compute, per subscription and region, by policy (bucket size and refill per minute): Put VM 1,500 +
//   500/min, Update VM 1,500 + 500/min, Delete VM 1,500 + 500/min, Low Cost Get 24,000 + 8,000/min, High Cost Get
//   (list, list all) 900 + 300/min, Get Operation 15,000 + 5,000/min. (The per-VM resource-level buckets — 12 + 4/min
//   for a PUT — are not modelled: the driver sends one PUT per VM.)
//   https://learn.microsoft.com/azure/virtual-machines/compute-throttling-limits
import { type BucketSize, TokenBucket } from "../../../src/token-bucket.js";
import { ArmError } from "./wire.js";

type ArmCategory = "reads" | "writes" | "deletes";

const ARM: Record<ArmCategory, BucketSize> = {
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
  deletes: { capacity: 200, refillPerSecond: 10 },
};

const perMinute = (capacity: number, refill: number): BucketSize => ({ capacity, refillPerSecond: refill / 60 });
const COMPUTE: Record<string, BucketSize> = {
  PutVM: perMinute(1500, 500),
  UpdateVM: perMinute(1500, 500),
  DeleteVM: perMinute(1500, 500),
  LowCostGetVM: perMinute(24000, 8000),
  HighCostGetVM: perMinute(900, 300),
  GetOperation: perMinute(15000, 5000),
};

/** What the router knows of a call: its method and, for Microsoft.Compute virtual machines, its policy. */
export interface ThrottledCall {
  method: string;
  computePolicy?: string;
}

export class ArmRateLimits {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Consumes the call's tokens and returns the headers to answer with, or throws the 429 that ARM or Compute sends. */
  admit(call: ThrottledCall, now = this.clock()): Record<string, string> {
    const category = armCategory(call.method);
    const arm = this.bucket(`arm:${category}`, ARM[category], now);
    const header = `x-ms-ratelimit-remaining-subscription-${category}`;
    if (arm.level(now) < 1) {
      throw new ArmError(
        429,
        "TooManyRequests",
        `The request is being throttled as the limit has been reached for operation type - ${category === "reads" ? "Read" : category === "writes" ? "Write" : "Delete"}. For more information, see - https://aka.ms/armthrottling`,
        {
          "retry-after": String(arm.secondsToNextToken(now)),
          [header]: "0",
        },
      );
    }
    const policy = call.computePolicy;
    const compute = policy ? this.bucket(`compute:${policy}`, COMPUTE[policy], now) : undefined;
    if (compute && compute.level(now) < 1) {
      // Compute's own throttling answer: https://learn.microsoft.com/troubleshoot/azure/virtual-machines/troubleshooting-throttling-errors
      throw new ArmError(
        429,
        "OperationNotAllowed",
        "The server rejected the request because too many requests have been received for this subscription.",
        {
          "retry-after": String(compute.secondsToNextToken(now)),
          "x-ms-ratelimit-remaining-resource": `Microsoft.Compute/${policy};0`,
          [header]: String(Math.floor(arm.level(now))),
        },
        [
          {
            code: "TooManyRequests",
            message: JSON.stringify({ operationGroup: policy, allowedRequestCount: COMPUTE[policy!].capacity }),
          },
        ],
      );
    }
    arm.take();
    compute?.take();
    return {
      [header]: String(Math.floor(arm.level(now))),
      ...(compute
        ? { "x-ms-ratelimit-remaining-resource": `Microsoft.Compute/${policy};${Math.floor(compute.level(now))}` }
        : {}),
    };
  }

  private bucket(key: string, size: BucketSize, now: number): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new TokenBucket(size, now)));
    return b;
  }
}

export function armCategory(method: string): ArmCategory {
  if (method === "GET" || method === "HEAD") return "reads";
  return method === "DELETE" ? "deletes" : "writes";
}

/** The Compute policy of a call on Microsoft.Compute virtual machines (or its operations), from the call-log action. */
export function computePolicy(action: string, vmExists: boolean, isComputeOperation: boolean): string | undefined {
  if (isComputeOperation) return "GetOperation";
  const [type, verb] = action.split(".");
  if (type !== "virtualMachines") return undefined;
  if (verb === "createOrUpdate") return vmExists ? "UpdateVM" : "PutVM";
  if (verb === "list" || verb === "listAll") return "HighCostGetVM";
  if (verb === "get" || verb === "instanceView") return "LowCostGetVM";
  if (verb === "delete" || verb === "deallocate") return "DeleteVM";
  return "UpdateVM"; // start, powerOff, restart...
}
