// The part of AWS's configuration the driver takes from its settings rather than leave to the SDK; no SDK import,
// so both the EC2 driver and the Service Quotas bundle (dist/aws-quotas.js) use it.
import type { Settings } from "../../settings.js";

/** What the EC2 calls read of the settings: the environment, AWS_MAX_ATTEMPTS, the catalog (vCPUs of a type). */
export type AwsSettings = Pick<Settings, "env" | "catalogDir"> & { aws: Pick<Settings["aws"], "maxAttempts"> };

/**
 * The endpoint and static keys the SDK would take from the environment, taken from the settings' environment
 * instead (the same variables, the same precedence), so a driver follows its settings. Profiles, SSO and instance
 * roles stay with the SDK's own chain.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function sdkConfig(env: Settings["env"], service: "EC2" | "SERVICE_QUOTAS") {
  const ignore = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true";
  const endpoint = ignore ? undefined : env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN } = env;
  // The SDK's chain prefers AWS_PROFILE to the keys when both are set (credential-provider-node's fromEnv step).
  const keys = accessKeyId && secretAccessKey && !env.AWS_PROFILE;
  const credentials = keys ? { accessKeyId, secretAccessKey, sessionToken: AWS_SESSION_TOKEN } : undefined;
  return { ...(endpoint && { endpoint }), ...(credentials && { credentials }) };
}
