// Loads one cloud's driver on demand: nothing here imports an SDK until a command needs that cloud. (require, not
// import(): see src/cli.ts.)
import type { ProviderName } from "../spec/schema.js";
import type { Provider, ProviderTarget } from "./provider.js";
import { enableCodeCache } from "./code-cache.js";
import type { Settings } from "../settings.js";

export type { ProviderTarget } from "./provider.js";

export async function loadProvider(target: ProviderTarget, settings: Settings): Promise<Provider> {
  if (settings.codeCache) enableCodeCache();
  switch (target.provider) {
    case "aws":
      return (require("./aws/index.js") as typeof import("./aws/index.js")).createProvider(target, settings);
    case "gcp":
      return (require("./gcp/index.js") as typeof import("./gcp/index.js")).createProvider(target, settings);
    case "azure":
      return (require("./azure/index.js") as typeof import("./azure/index.js")).createProvider(target, settings);
  }
}

/**
 * Whether credentials are configured locally, decided without importing an SDK and without touching the network
 * (no instance-metadata probe): this is what decides whether `up --dryrun` may call the cloud at all.
 */
export async function hasLocalCredentials(provider: ProviderName, env: Settings["env"]): Promise<boolean> {
  switch (provider) {
    case "aws":
      return (require("./aws/credentials.js") as typeof import("./aws/credentials.js")).hasLocalCredentials(env);
    case "gcp":
      return (require("./gcp/credentials.js") as typeof import("./gcp/credentials.js")).hasLocalCredentials(env);
    case "azure":
      return (require("./azure/credentials.js") as typeof import("./azure/credentials.js")).hasLocalCredentials(env);
  }
}
