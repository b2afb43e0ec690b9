// Whether AWS credentials are configured locally, decided without importing the SDK and without any network call
// (the instance-metadata service is never probed here): the places the SDK's default chain reads from.
// Reference: https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
import { homedir } from "node:os";
import { join } from "node:path";
// The SDK's own ini loader (11 KB bundled), so profiles are read exactly as the credential chain will read them.
import { loadSharedConfigFiles } from "@smithy/core/config";

export function configFiles(env: NodeJS.ProcessEnv): { config: string; credentials: string } {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  return {
    config: env.AWS_CONFIG_FILE ?? join(home, ".aws", "config"),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials"),
  };
}

export async function hasLocalCredentials(env: NodeJS.ProcessEnv): Promise<boolean> {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return true;
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return true;
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return true;
  const profile = env.AWS_PROFILE ?? "default";
  const files = configFiles(env);
  const { configFile, credentialsFile } = await loadSharedConfigFiles({
    filepath: files.credentials,
    configFilepath: files.config,
    ignoreCache: true,
  });
  return profile in credentialsFile || profile in configFile;
}

export const NO_CREDENTIALS_HELP =
  "No AWS credentials found. Configure them in one of these ways: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY " +
  "(and AWS_SESSION_TOKEN for temporary credentials); run `aws configure` (or set AWS_PROFILE to a profile in " +
  "~/.aws/credentials or ~/.aws/config); or for IAM Identity Center run `aws configure sso` once and " +
  "`aws sso login --profile NAME`, then set AWS_PROFILE=NAME.";
