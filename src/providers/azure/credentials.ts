// Whether Azure credentials are configured locally, decided without importing an SDK and without any network call
// (the instance-metadata service is never probed here): a static token for an endpoint override, a service
// principal or workload identity in the environment, or an `az login` profile on disk.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const ENDPOINT_ENV = "CLOUDLAUNCH_AZURE_ENDPOINT";
export const TOKEN_ENV = "CLOUDLAUNCH_AZURE_ACCESS_TOKEN";

/** Where the Azure CLI keeps its login (`az login`): $AZURE_CONFIG_DIR or ~/.azure. */
export function azureProfilePath(env: NodeJS.ProcessEnv): string {
  return join(env.AZURE_CONFIG_DIR || join(env.HOME || homedir(), ".azure"), "azureProfile.json");
}

export function hasLocalCredentials(env: NodeJS.ProcessEnv): boolean {
  if (env[TOKEN_ENV]) return true;
  if (env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID) return true;
  return existsSync(azureProfilePath(env));
}

export const NO_CREDENTIALS_HELP =
  "Sign in with `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service principal, " +
  "or run on an Azure VM with a managed identity. " +
  `For another Resource Manager endpoint (${ENDPOINT_ENV}), set ${TOKEN_ENV} to a bearer token it accepts.`;
