// Loads one cloud's driver on demand: nothing here imports an SDK until a command needs that cloud.
import type { ClusterSpec, ProviderName } from "../spec/schema.js";
import type { Provider } from "./provider.js";

export type ProviderTarget = Pick<ClusterSpec, "provider" | "region" | "zone" | "gcp" | "azure">;

export async function loadProvider(target: ProviderTarget): Promise<Provider> {
  switch (target.provider) {
    case "aws":
      return (await import("./aws/index.js")).createProvider(target);
    case "gcp":
      return (await import("./gcp/index.js")).createProvider(target);
    case "azure":
      return (await import("./azure/index.js")).createProvider(target);
  }
}

/**
 * Whether credentials are configured locally, decided without importing an SDK and without touching the network
 * (no instance-metadata probe): this is what decides whether `up --dryrun` may call the cloud at all.
 */
export async function hasLocalCredentials(provider: ProviderName, env = process.env): Promise<boolean> {
  switch (provider) {
    case "aws":
      return (await import("./aws/credentials.js")).hasLocalCredentials(env);
    case "gcp":
      return (await import("./gcp/credentials.js")).hasLocalCredentials(env);
    case "azure":
      return (await import("./azure/credentials.js")).hasLocalCredentials(env);
  }
}
