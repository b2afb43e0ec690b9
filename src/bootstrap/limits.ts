// Each cloud's limit on the user-data it carries, measured on the bytes cloud-init receives:
// - EC2: 16 KB "in raw form, before it is base64-encoded" (EC2 User Guide, instance user data).
// - Azure: osProfile.customData is decoded to "a binary array ... maximum length 65535 bytes" (Compute REST API).
// - GCP: a metadata value's "size must be less than or equal to 262144 bytes (256 KiB)" (compute v1 Items).
import type { ProviderName } from "../spec/schema.js";
import { PlanError } from "../errors.js";

export const USER_DATA_LIMITS: Readonly<Record<ProviderName, number>> = {
  aws: 16384,
  azure: 65535,
  gcp: 262144,
};

const WHERE: Record<ProviderName, string> = {
  aws: "EC2 user data",
  azure: "Azure customData",
  gcp: "the GCP user-data metadata value",
};

export function userDataBytes(userData: string): number {
  return Buffer.byteLength(userData, "utf8");
}

export function fitsUserDataLimit(provider: ProviderName, userData: string): boolean {
  return userDataBytes(userData) <= USER_DATA_LIMITS[provider];
}

/** Throws a PlanError naming the node, the size, the limit and what to shorten. */
export function assertUserDataFits(provider: ProviderName, userData: string, node: string): void {
  const bytes = userDataBytes(userData);
  const limit = USER_DATA_LIMITS[provider];
  if (bytes <= limit) return;
  throw new PlanError(
    `The cloud-init user data of ${node} is ${bytes} bytes even compressed, over the ${limit}-byte limit of ${WHERE[provider]}. ` +
      "Shorten dask.setup_commands, dask.pip_packages or tags (or move long setup into a script the commands download).",
  );
}
