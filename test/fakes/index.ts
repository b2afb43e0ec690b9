// The fake of each cloud, loaded on demand (each pulls in its own wire code).
import type { ProviderName } from "../../src/spec/schema.js";
import type { StartFake } from "./harness.js";

export const FAKES: Record<ProviderName, () => Promise<StartFake>> = {
  aws: async () => (await import("./aws/index.js")).startFakeEc2,
  gcp: async () => (await import("./gcp/index.js")).startFakeGcp,
  azure: async () => (await import("./azure/index.js")).startFakeAzure,
};
