// Azure errors → CloudError with a kind and a message a user can act on. ARM answers {error: {code, message}}; the
// SDK surfaces it as a RestError (statusCode, code), a failed long-running operation as a plain Error whose message
// reads "The long-running operation has failed. <code>. <message>", and @azure/identity as *CredentialError types.
// Codes: https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors
import { CloudError, type CloudErrorKind, isCloudError, isUserError } from "../../errors.js";
import { NO_CREDENTIALS_HELP, TOKEN_ENV } from "./credentials.js";
import { UNREACHABLE } from "./unreachable.js";

export interface AzureFailure {
  status?: number;
  code?: string;
  message: string;
}

const CAPACITY = new Set([
  "SkuNotAvailable",
  "ZonalAllocationFailed",
  "AllocationFailed",
  "OverconstrainedAllocationRequest",
  "OverconstrainedZonalAllocationRequest",
  "SpotCapacityNotAvailable",
]);
const NOT_FOUND = new Set([
  "ResourceNotFound",
  "ResourceGroupNotFound",
  "NotFound",
  "SubscriptionNotFound",
  "PlatformImageNotFound",
]);
const AUTH = new Set([
  "InvalidAuthenticationToken",
  "ExpiredAuthenticationToken",
  "AuthenticationFailed",
  "InvalidAuthenticationTokenTenant",
]);

export function failureOf(err: unknown): AzureFailure {
  const e = err as { statusCode?: number; code?: string; message?: string; name?: string };
  const message = String(e?.message ?? err);
  const lro = /long-running operation has failed\. ([A-Za-z]+)\. ([\s\S]*)$/.exec(message);
  if (lro) return { code: lro[1], message: lro[2] };
  return { status: e?.statusCode, code: typeof e?.code === "string" ? e.code : undefined, message };
}

/**
 * Capacity wherever ARM puts it: the top-level code, or a nested `details` entry under a wrapper such as
 * ResourceOperationFailure / DeploymentFailed (https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors).
 */
export function isCapacityError(err: unknown): boolean {
  if (CAPACITY.has(failureOf(err).code ?? "")) return true;
  return codesIn(err).some((code) => CAPACITY.has(code));
}

function codesIn(err: unknown, depth = 0): string[] {
  if (!err || typeof err !== "object" || depth > 4) return [];
  const e = err as { code?: unknown; details?: unknown; error?: unknown; response?: { parsedBody?: unknown } };
  const nested = [e.details, e.error, e.response?.parsedBody].flatMap((x) => (Array.isArray(x) ? x : [x]));
  return [...(typeof e.code === "string" ? [e.code] : []), ...nested.flatMap((x) => codesIn(x, depth + 1))];
}

export function isNotFound(err: unknown): boolean {
  const f = failureOf(err);
  return f.status === 404 || NOT_FOUND.has(f.code ?? "");
}

/** `what` names the call and resource, e.g. "creating VM dask-worker-001". */
export function toCloudError(err: unknown, what: string): CloudError {
  // A cloud error from another layer, or the user's own (spec, plan, usage), travels unchanged: never rewrapped as
  // this cloud's error, so it keeps its message and exit code. By brand: instanceof fails across bundles.
  if (isCloudError(err) || isUserError(err)) return err as CloudError;
  const name = (err as { name?: string })?.name ?? "";
  if (
    /CredentialUnavailableError|AggregateAuthenticationError|AuthenticationError|AuthenticationRequiredError/.test(name)
  ) {
    return new CloudError(`No usable Azure credentials while ${what}. ${NO_CREDENTIALS_HELP}`, "auth", name);
  }
  const unreachable = err as { code?: string; endpoint?: string; message?: string };
  if (unreachable?.code === UNREACHABLE) {
    return new CloudError(
      `Azure error while ${what}: ${unreachable.message}. Check the network (proxy, VPN, DNS) or the endpoint override ` +
        "(azure.endpoint / CLOUDLAUNCH_AZURE_ENDPOINT), then run the command again.",
      "other",
      UNREACHABLE,
    );
  }
  const f = failureOf(err);
  const code = f.code ?? (f.status ? `HTTP ${f.status}` : undefined);
  const [kind, hint] = classify(f);
  return new CloudError(
    `Azure error while ${what}: ${code ? `${code}: ` : ""}${f.message}${hint ? `\n${hint}` : ""}`,
    kind,
    f.code,
  );
}

function classify(f: AzureFailure): [CloudErrorKind, string] {
  const code = f.code ?? "";
  if (f.status === 401 || AUTH.has(code)) {
    return [
      "auth",
      `Azure rejected the credentials. ${NO_CREDENTIALS_HELP} (A token in ${TOKEN_ENV} may have expired.)`,
    ];
  }
  if (f.status === 403 || code === "AuthorizationFailed" || code === "LinkedAuthorizationFailed") {
    return [
      "permission",
      "The signed-in identity lacks a role on the subscription or resource group: grant it Contributor (or Virtual Machine Contributor + Network Contributor) with `az role assignment create`.",
    ];
  }
  if (code === "OperationNotAllowed" && /quota/i.test(f.message)) return ["quota", quotaHint(f.message)];
  if (code === "PublicIPCountLimitReached" || (code === "QuotaExceeded" && /public ?ip/i.test(f.message))) {
    return [
      "quota",
      "Quota 'Public IP Addresses - Standard' is exhausted in this region. Raise it in the portal under Subscriptions → Usage + quotas (Networking), or terminate unused public IPs.",
    ];
  }
  if (CAPACITY.has(code))
    return [
      "capacity",
      "Azure has no capacity for this size here right now: try another size or zone (the plan's runner-up), or another location.",
    ];
  if (code === "RateLimiting")
    return [
      "throttled",
      "Azure Resource Graph throttled the queries (its quota is per user, e.g. 15 queries in 5 seconds): wait a few seconds and run status again, less often if it runs in a loop.",
    ];
  if (f.status === 429 || code === "TooManyRequests")
    return [
      "throttled",
      "Azure Resource Manager throttled the requests; wait a minute and retry, or lower CLOUDLAUNCH_AZURE_CONCURRENCY.",
    ];
  if (f.status === 404 || NOT_FOUND.has(code)) return ["not-found", ""];
  if (f.status === 400 || f.status === 409 || /^Invalid|BadRequest|Conflict/.test(code)) return ["invalid", ""];
  return ["other", ""];
}

/** Names the quota ("standardDSv5Family Cores") and says how to raise it. */
function quotaHint(message: string): string {
  const family = /approved (\S+) Cores quota/i.exec(message)?.[1];
  const regional = /Total Regional (?:Low Priority |Spot )?Cores quota/i.test(message);
  const quota = family ? `${family} vCPUs ("${family} Cores")` : regional ? "Total Regional vCPUs" : "the vCPU quota";
  return (
    `Quota exceeded: ${quota} in this location. Request an increase in the Azure portal (Subscriptions → Usage + quotas, ` +
    "https://aka.ms/ProdportalCRP) or with `az quota update`; or pick a size from another family, or launch fewer workers."
  );
}
