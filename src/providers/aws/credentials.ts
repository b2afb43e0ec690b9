// Whether AWS credentials are configured locally, decided without importing the SDK and without any network call
// (the instance-metadata service is never probed here): the places the SDK's default chain reads from.
// Reference: https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export function configFiles(env: NodeJS.ProcessEnv = process.env): { config: string; credentials: string } {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  return {
    config: env.AWS_CONFIG_FILE ?? join(home, ".aws", "config"),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials"),
  };
}

/** Whether an ini file has the `[profile]` section (`[profile name]` in the config file, `[name]` in credentials). */
function hasProfile(file: string, profile: string, configStyle: boolean): boolean {
  if (!existsSync(file)) return false;
  const headers = readFileSync(file, "utf8").match(/^\s*\[([^\]]+)\]/gm) ?? [];
  const wanted = configStyle && profile !== "default" ? [`profile ${profile}`] : [profile, `profile ${profile}`];
  return headers.some((h) => wanted.includes(h.trim().slice(1, -1).trim()));
}

export function hasLocalCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return true;
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return true;
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return true;
  const profile = env.AWS_PROFILE ?? "default";
  const files = configFiles(env);
  return hasProfile(files.credentials, profile, false) || hasProfile(files.config, profile, true);
}

export const NO_CREDENTIALS_HELP =
  "No AWS credentials found. Configure them in one of these ways: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY " +
  "(and AWS_SESSION_TOKEN for temporary credentials); run `aws configure` (or set AWS_PROFILE to a profile in " +
  "~/.aws/credentials or ~/.aws/config); or for IAM Identity Center run `aws configure sso` once and " +
  "`aws sso login --profile NAME`, then set AWS_PROFILE=NAME.";
