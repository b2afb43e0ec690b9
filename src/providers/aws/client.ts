// The EC2 clients: the SDK's default credential chain, the region from the spec, the endpoint from the SDK's own
// AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL variables, and the SDK's adaptive retry strategy for throttling.
import { EC2Client } from "@aws-sdk/client-ec2";
import { type AwsSettings, sdkConfig } from "./sdk-config.js";
import { AdaptiveRetryStrategy } from "@smithy/core/retry";
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from "@smithy/types";
import { CAPACITY_CODES, errorCode, toCloudError } from "./errors.js";

/** Connection-level failures: nothing answered (refused, reset, DNS, connect timeout). */
const NETWORK_CODES = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|socket hang up|TimeoutError/;
/** One retry for a connection that failed: a reset in a large launch is survived, a dead endpoint fails in seconds. */
const NETWORK_ATTEMPTS = 2;
/** A TCP connect that takes longer has met a firewall that drops packets; the SDK's default is to wait forever. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * EC2 answers InsufficientInstanceCapacity with HTTP 500, which the SDK would retry as transient; the driver
 * wants it at once to try the next type or zone. A connection that cannot be made is retried once, not ten times
 * with backoff (the adaptive strategy counts it as transient). Everything else is the SDK's adaptive strategy.
 */
class CapacityAwareRetryStrategy implements RetryStrategyV2 {
  private readonly base: AdaptiveRetryStrategy;
  constructor(maxAttempts: number) {
    this.base = new AdaptiveRetryStrategy(async () => maxAttempts);
  }
  acquireInitialRetryToken(scope: string) {
    return this.base.acquireInitialRetryToken(scope);
  }
  refreshRetryTokenForRetry(token: StandardRetryToken, info: RetryErrorInfo) {
    if (CAPACITY_CODES.has(errorCode(info.error) ?? "")) return Promise.reject(info.error);
    const e = info.error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    if (e.$metadata?.httpStatusCode === undefined && NETWORK_CODES.test(`${e.name} ${e.code} ${e.message}`)) {
      // Each retry gets a new token that carries the count (the strategy's own tokens are not reused).
      if (token.getRetryCount() + 1 >= NETWORK_ATTEMPTS) return Promise.reject(info.error);
    }
    return this.base.refreshRetryTokenForRetry(token, info);
  }
  recordSuccess(token: StandardRetryToken) {
    this.base.recordSuccess(token);
  }
}

function makeClient(region: string, settings: AwsSettings): EC2Client {
  const maxAttempts = settings.aws.maxAttempts ?? 10;
  return new EC2Client({
    region,
    ...sdkConfig(settings.env, "EC2"),
    maxAttempts,
    retryStrategy: new CapacityAwareRetryStrategy(maxAttempts),
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS },
  });
}

/**
 * EC2 throttles each action in its own token bucket, while the SDK's adaptive rate limiter is per client: reads,
 * tagging and the other mutations each get their own client, so throttled RunInstances calls do not slow polling.
 */
export class Ec2Api {
  private readonly clients = new Map<string, EC2Client>();
  constructor(
    readonly region: string,
    readonly settings: AwsSettings,
  ) {}

  clientFor(action: string): EC2Client {
    const family = /^(Describe|Get)/.test(action) ? "reads" : action === "CreateTags" ? "tagging" : "writes";
    let client = this.clients.get(family);
    if (!client) this.clients.set(family, (client = makeClient(this.region, this.settings)));
    return client;
  }

  /** One API call; any failure leaves as a CloudError naming the action. */
  async call<T>(action: string, run: (ec2: EC2Client) => Promise<T>): Promise<T> {
    try {
      return await run(this.clientFor(action));
    } catch (err) {
      throw toCloudError(err, action, this.endpoint());
    }
  }

  /** Where the calls go: the SDK's endpoint variables, else the regional endpoint (for messages only). */
  endpoint(): string {
    return sdkConfig(this.settings.env, "EC2").endpoint || `https://ec2.${this.region}.amazonaws.com`;
  }

  /** The same call with DryRun=true: DryRunOperation means it would be allowed. */
  async dryRun(action: string, run: (ec2: EC2Client) => Promise<unknown>): Promise<void> {
    try {
      await run(this.clientFor(action));
    } catch (err) {
      if (errorCode(err) === "DryRunOperation") return;
      throw toCloudError(err, action, this.endpoint());
    }
    throw toCloudError(new Error(`the endpoint performed ${action} despite DryRun=true`), action);
  }

  /** Resolves the default credential chain now, so a missing configuration is reported before anything else. */
  async checkCredentials(): Promise<void> {
    try {
      await this.clientFor("DescribeInstances").config.credentials();
    } catch (err) {
      throw toCloudError(err, "credentials");
    }
  }

  destroy() {
    for (const client of this.clients.values()) client.destroy();
  }
}
