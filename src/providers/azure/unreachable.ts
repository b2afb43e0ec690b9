// An endpoint that cannot be reached must fail in seconds. The SDK's retry policy treats ECONNREFUSED, ECONNRESET,
// ENOTFOUND and ETIMEDOUT as transient and retries them with exponential backoff, up to 8 retries here (raised for
// ARM's 429s, see clients.ts), 1 s doubling to 64 s: close to three minutes before a dead endpoint is reported.
// This policy sits inside the retry loop: a request whose connection failed NETWORK_ATTEMPTS times has its error
// renamed, so the retry strategy stops (it retries only the system error codes it knows; the exponentialRetryStrategy
// of @typespec/ts-http-runtime, isSystemError) and the driver reports "cannot reach".
import type { ComputeManagementClient } from "@azure/arm-compute";

type PipelinePolicy = Parameters<ComputeManagementClient["pipeline"]["addPolicy"]>[0];

export const UNREACHABLE = "CLOUDLAUNCH_UNREACHABLE";
const SYSTEM_ERRORS = new Set([
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOENT",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
/** One retry: a connection dropped once in a large launch is survived; an endpoint that never answers is not. */
const NETWORK_ATTEMPTS = 2;

export function failFastWhenUnreachable(): PipelinePolicy {
  const attempts = new WeakMap<object, number>();
  return {
    name: "cloudlaunchFailFastWhenUnreachable",
    async sendRequest(request, next) {
      try {
        return await next(request);
      } catch (err) {
        const e = err as { code?: string; message?: string };
        if (!SYSTEM_ERRORS.has(e?.code ?? "")) throw err;
        const n = (attempts.get(request) ?? 0) + 1;
        attempts.set(request, n);
        if (n >= NETWORK_ATTEMPTS) {
          const origin = new URL(request.url).origin;
          const message = `cannot reach ${origin}: ${e.code} ${e.message ?? ""}`.trim();
          throw Object.assign(new Error(message), { code: UNREACHABLE, endpoint: origin });
        }
        throw err;
      }
    },
  };
}
