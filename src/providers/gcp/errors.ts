// Compute API failures → CloudError. Over the REST transport the SDK rejects with gaxios's error (HTTP `status`, the
// JSON error body as `message`); a gRPC-style GoogleError (numeric `code`) is read too. Google's own retry only
// covers reads on gRPC codes, so throttling (429 rateLimitExceeded), 5xx and dropped connections are retried here:
// every mutating call carries a requestId, which makes its retry safe.
import { CloudError, type CloudErrorKind, isCloudError, isUserError } from "../../errors.js";
import { retry } from "../../wait.js";
import { NO_CREDENTIALS_HELP } from "./credentials.js";

export interface ApiFailure {
  httpStatus?: number;
  reason?: string;
  message: string;
  network: boolean;
  /** Origin of the failed request, when the error says. */
  endpoint?: string;
}

const GRPC_TO_HTTP: Record<number, number> = { 3: 400, 5: 404, 6: 409, 7: 403, 8: 429, 13: 500, 14: 503, 16: 401 };
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

export function describeFailure(err: unknown): ApiFailure {
  const e = err as { status?: unknown; code?: unknown; message?: string; reason?: string; cause?: { code?: string } };
  const text = String(e?.message ?? err);
  let body: { error?: { code?: number; message?: string; errors?: { reason?: string }[] } } | undefined;
  if (text.startsWith("{")) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  // The discovery-based client (listNodes) rejects with gaxios's error as is: the parsed body is its response's data.
  body ??= (err as { response?: { data?: typeof body } })?.response?.data ?? undefined;
  if (typeof body !== "object" || body === null) body = undefined;
  const httpStatus =
    typeof e?.status === "number"
      ? e.status
      : typeof e?.code === "number"
        ? (GRPC_TO_HTTP[e.code] ?? undefined)
        : body?.error?.code;
  // A dropped connection surfaces as gaxios's error wrapping fetch's TypeError wrapping the socket error.
  const chain: string[] = [];
  type Link = { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let c = err as Link, depth = 0; c && depth < 4; c = c.cause as Link, depth++)
    chain.push(`${c.code ?? ""} ${c.message ?? ""}`);
  const causes = chain
    .map((c) => c.trim())
    .filter((c, i, all) => c && all.indexOf(c) === i)
    .join(" | ");
  // gaxios's error carries the request (config.url): the endpoint, for a message that names it.
  const url = (err as { config?: { url?: unknown } })?.config?.url;
  let endpoint: string | undefined;
  try {
    endpoint = url ? new URL(String(url)).origin : undefined;
  } catch {
    endpoint = undefined;
  }
  return {
    httpStatus,
    endpoint,
    reason: body?.error?.errors?.[0]?.reason ?? e?.reason,
    message: body?.error?.message ?? (httpStatus === undefined ? causes : text),
    network:
      httpStatus === undefined &&
      ([...NETWORK_CODES].some((code) => causes.includes(code)) ||
        /fetch failed|socket hang up|other side closed/i.test(causes)),
  };
}

const isThrottle = (f: ApiFailure) =>
  f.httpStatus === 429 || (f.httpStatus === 403 && /rateLimitExceeded/.test(f.reason ?? ""));

function isRetryable(f: ApiFailure): boolean {
  return (
    isThrottle(f) ||
    f.network ||
    f.httpStatus === 500 ||
    f.httpStatus === 502 ||
    f.httpStatus === 503 ||
    f.httpStatus === 504
  );
}

export function toCloudError(err: unknown, what: string): CloudError {
  // A cloud error from another layer, or the user's own (spec, plan, usage), travels unchanged: never rewrapped as
  // this cloud's error, so it keeps its message and exit code. By brand: instanceof fails across bundles.
  if (isCloudError(err) || isUserError(err)) return err as CloudError;
  const f = describeFailure(err);
  if (/Could not load the default credentials|Unable to detect a Project Id/i.test(f.message)) {
    return new CloudError(`No GCP credentials found. ${NO_CREDENTIALS_HELP}`, "auth");
  }
  const kinds: [boolean, CloudErrorKind, string][] = [
    [
      f.httpStatus === 401,
      "auth",
      `GCP rejected the credentials while trying to ${what}: ${f.message} ${NO_CREDENTIALS_HELP}`,
    ],
    [isThrottle(f), "throttled", `GCP kept throttling the requests to ${what}: ${f.message} Try again in a minute.`],
    [
      f.httpStatus === 403 && /quota/i.test(`${f.reason} ${f.message}`),
      "quota",
      `GCP quota exceeded while trying to ${what}: ${f.message}`,
    ],
    [
      /iam\.serviceAccountUser|does not have access to service account/.test(f.message),
      "permission",
      `Permission denied to ${what}: ${f.message} With idle_timeout the VMs run as a service account so that they can ` +
        "delete themselves: grant the caller the Service Account User role (roles/iam.serviceAccountUser) on it, or " +
        "name one the caller may use in gcp.service_account.",
    ],
    [
      f.httpStatus === 403,
      "permission",
      `Permission denied to ${what}: ${f.message} Grant the caller the Compute Instance Admin (v1) role or the missing permission.`,
    ],
    [f.httpStatus === 404, "not-found", `Not found while trying to ${what}: ${f.message}`],
    [f.httpStatus === 400, "invalid", `GCP refused the request to ${what}: ${f.message}`],
    [
      f.network,
      "other",
      `cannot reach ${f.endpoint ?? "the Compute API"} to ${what}: ${f.message}. Check the network (proxy, VPN, DNS) or the ` +
        "endpoint override (gcp.endpoint / CLOUDLAUNCH_GCP_ENDPOINT), then run the command again.",
    ],
  ];
  const [, kind, message] = kinds.find(([hit]) => hit) ?? [true, "other" as const, `Failed to ${what}: ${f.message}`];
  return new CloudError(message, kind, f.reason ?? (f.httpStatus ? String(f.httpStatus) : undefined));
}

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxMs: number;
}

const NETWORK_ATTEMPTS = 2;

const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseMs: 250, maxMs: 10_000 };

/** Runs `call`, retrying throttling, 5xx and dropped connections with capped exponential backoff and full jitter. */
export function withRetry<T>(
  what: string,
  call: () => Promise<T>,
  onRetry?: (message: string) => void,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  return retry(call, {
    baseMs: policy.baseMs,
    maxMs: policy.maxMs,
    retryable: (err, attempt) => {
      const f = describeFailure(err);
      // A failed connection is retried once, not with the full backoff: an endpoint that cannot be reached must be
      // reported in seconds (a reset in a large launch is still survived).
      const limit = f.network ? Math.min(NETWORK_ATTEMPTS, policy.attempts) : policy.attempts;
      return isRetryable(f) && attempt < limit;
    },
    onRetry: (err) => {
      if (isThrottle(describeFailure(err))) onRetry?.(`GCP is throttling requests (${what}); retrying`);
    },
  }).catch((err) => Promise.reject(toCloudError(err, what)));
}
