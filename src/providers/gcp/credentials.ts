// Whether GCP credentials are configured locally, decided without importing an SDK and without any network call
// (the metadata server is never probed here): a static token, a key file, or gcloud's ADC file.
import { existsSync } from "node:fs";
import { join } from "node:path";

export const TOKEN_ENV = "CLOUDLAUNCH_GCP_ACCESS_TOKEN";
export const ENDPOINT_ENV = "CLOUDLAUNCH_GCP_ENDPOINT";

/** Where google-auth-library looks for `gcloud auth application-default login`'s file. */
export function adcFilePath(env: NodeJS.ProcessEnv, platform = process.platform): string | undefined {
  const base = platform === "win32" ? env.APPDATA : env.HOME ? join(env.HOME, ".config") : undefined;
  return base ? join(base, "gcloud", "application_default_credentials.json") : undefined;
}

export function hasLocalCredentials(env: NodeJS.ProcessEnv): boolean {
  if (env[TOKEN_ENV]) return true;
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return existsSync(env.GOOGLE_APPLICATION_CREDENTIALS);
  const adc = adcFilePath(env);
  return adc !== undefined && existsSync(adc);
}

export const NO_CREDENTIALS_HELP =
  "Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, " +
  `or set ${TOKEN_ENV} to an OAuth2 access token (e.g. from \`gcloud auth print-access-token\`).`;
