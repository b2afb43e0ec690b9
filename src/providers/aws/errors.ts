// EC2 errors translated at the driver boundary into CloudErrors a user can act on.
// Codes: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
import { CloudError, isCloudError, isUserError } from "../../errors.js";
import { NO_CREDENTIALS_HELP } from "./credentials.js";

const AUTH = new Set([
  "AuthFailure",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "ExpiredToken",
  "RequestExpired",
]);

/** Launch failures that mean "try another type or zone", not "give up". */
export const CAPACITY_CODES = new Set([
  "InsufficientInstanceCapacity",
  "InsufficientHostCapacity",
  "InsufficientCapacity",
  "UnfulfillableCapacity",
  "Unsupported",
]);

const QUOTA_HELP: Record<string, string> = {
  VcpuLimitExceeded:
    "the vCPU quota for on-demand instances of this family (e.g. 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances', L-1216C47A)",
  InstanceLimitExceeded: "the on-demand instance quota of this type",
  MaxSpotInstanceCountExceeded:
    "the spot vCPU quota ('All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests', L-34B43A08)",
  VolumeLimitExceeded: "the EBS storage quota for this volume type",
  SecurityGroupLimitExceeded: "the 'VPC security groups per Region' quota",
  RulesPerSecurityGroupLimitExceeded: "the 'Inbound or outbound rules per security group' quota",
};

const THROTTLE_CODES = new Set(["RequestLimitExceeded", "Throttling", "ThrottlingException"]);

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

export function errorCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null ? (err as SdkError).name : undefined;
}

/** Nothing answered: refused, reset, DNS, connect timeout. */
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EPIPE|socket hang up|TimeoutError/i;

export function toCloudError(err: unknown, action: string, endpoint?: string): CloudError {
  // A cloud error from another layer, or the user's own (spec, plan, usage), travels unchanged: never rewrapped as
  // this cloud's error, so it keeps its message and exit code. By brand: instanceof fails across bundles.
  if (isCloudError(err) || isUserError(err)) return err as CloudError;
  const e = (typeof err === "object" && err !== null ? err : { message: String(err) }) as SdkError;
  const code = e.name ?? "Error";
  const message = e.message ?? String(err);
  if (code === "CredentialsProviderError" || /Could not load credentials/i.test(message))
    return new CloudError(NO_CREDENTIALS_HELP, "auth", code);
  if (AUTH.has(code)) {
    return new CloudError(
      `AWS rejected the credentials (${code}: ${message}). Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or your profile; ` +
        "for IAM Identity Center run `aws sso login` again.",
      "auth",
      code,
    );
  }
  if (code === "UnauthorizedOperation") {
    return new CloudError(
      `Not allowed to call ec2:${action}. Grant ec2:${action} to your IAM identity. (${message})`,
      "permission",
      code,
    );
  }
  if (QUOTA_HELP[code]) {
    return new CloudError(
      `${action}: ${message} Raise ${QUOTA_HELP[code]} in the Service Quotas console (https://console.aws.amazon.com/servicequotas/home/services/ec2/quotas), ` +
        "or ask for fewer or smaller nodes.",
      "quota",
      code,
    );
  }
  if (CAPACITY_CODES.has(code)) return new CloudError(`${action}: ${message}`, "capacity", code);
  if (/\.(NotFound|Malformed)$/.test(code)) return new CloudError(`${action}: ${message}`, "not-found", code);
  if (THROTTLE_CODES.has(code)) {
    const attempts = e.$metadata?.attempts ?? 1;
    return new CloudError(
      `EC2 kept throttling ${action} (${code}) after ${attempts} attempt(s). Wait a minute and run the command again; ` +
        "other tools using the same account and region share these limits.",
      "throttled",
      code,
    );
  }
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined && UNREACHABLE.test(`${code} ${message}`)) {
    return new CloudError(
      `cannot reach ${endpoint ?? "the EC2 endpoint"} (${action}): ${message}. Check the network (proxy, VPN, DNS) or ` +
        "AWS_ENDPOINT_URL_EC2, then run the command again.",
      "other",
      code,
    );
  }
  return new CloudError(
    `${action} failed: ${code}: ${message}`,
    status !== undefined && status < 500 ? "invalid" : "other",
    code,
  );
}
