// The driver's settings and its three SDK clients. This folder is loaded only when a command needs Azure (the SDKs
// take a second or two to require); @azure/identity only when no static token is given. DefaultAzureCredential in production; with an endpoint override (spec azure.endpoint or
// CLOUDLAUNCH_AZURE_ENDPOINT) and CLOUDLAUNCH_AZURE_ACCESS_TOKEN, a static bearer token for that endpoint.
import { readFileSync } from "node:fs";
import type { TokenCredential } from "@azure/identity";
import type { ComputeManagementClient } from "@azure/arm-compute";
import type { NetworkManagementClient } from "@azure/arm-network";
import { ResourceManagementClient } from "@azure/arm-resources";
import { CloudError } from "../../errors.js";
import type { ProviderTarget } from "../provider.js";
import { WritePacer } from "./write-pacer.js";
import { failFastWhenUnreachable } from "./unreachable.js";
import { ENDPOINT_ENV, TOKEN_ENV } from "./credentials.js";
import { createArmJson, type ArmJson } from "./arm-json.js";
import type { Settings } from "../../settings.js";

/** What the Azure driver reads of the settings. */
export type AzureDriverSettings = Pick<Settings, "env" | "azure" | "skipQuotaCheck" | "extraCaFile">;

interface AzureSettings {
  subscriptionId: string;
  location: string;
  zone?: string;
  resourceGroup?: string;
  endpoint?: string;
  /** How often long-running operations are polled; the SDK's own default is 2 s. */
  pollIntervalMs: number;
  /** Concurrent create/start/stop/delete calls. */
  concurrency: number;
  /** How long VMs may take to reach a state (CLOUDLAUNCH_AZURE_WAIT_S). */
  waitMs: number;
}

export interface AzureClients {
  settings: AzureSettings;
  compute: ComputeManagementClient;
  network: NetworkManagementClient;
  resources: ResourceManagementClient;
  /** Lists read as JSON, for listings that grow with the cluster (arm-json.ts). */
  arm: ArmJson;
  /** Shared by the three clients: Resource Manager counts writes per subscription, whatever the provider. */
  writes: WritePacer;
}

function readSettings(target: ProviderTarget, { env, azure }: AzureDriverSettings): AzureSettings {
  const subscriptionId = target.azure?.subscription_id || env.AZURE_SUBSCRIPTION_ID;
  if (!subscriptionId) {
    throw new CloudError(
      "No Azure subscription: set azure.subscription_id in the spec or AZURE_SUBSCRIPTION_ID (see `az account show --query id`).",
      "invalid",
    );
  }
  return {
    subscriptionId,
    location: target.region,
    zone: target.zone,
    resourceGroup: target.azure?.resource_group,
    endpoint: (target.azure?.endpoint || env[ENDPOINT_ENV])?.replace(/\/+$/, ""),
    pollIntervalMs: azure.pollIntervalMs,
    concurrency: azure.concurrency,
    waitMs: azure.waitMs,
  };
}

export async function createClients(target: ProviderTarget, driver: AzureDriverSettings): Promise<AzureClients> {
  const settings = readSettings(target, driver);
  const credential = credentialFor(driver.env);
  const options = {
    ...(settings.endpoint ? { endpoint: settings.endpoint, tlsOptions: extraCa(driver.extraCaFile) } : {}),
    userAgentOptions: { userAgentPrefix: "cloudlaunch" },
    // ARM throttles per subscription and answers 429 with Retry-After; a large launch meets it, so retry beyond the
    // SDK's default of 3 (each retry waits as long as Retry-After says).
    retryOptions: { maxRetries: 8 },
  };
  const writes = new WritePacer();
  // Resource Manager's pacer sees every answer of every client; the Compute and Network SDKs are separate bundles,
  // each required and built when a command first uses it.
  const paced = <T extends { pipeline: Pick<ComputeManagementClient["pipeline"], "addPolicy"> }>(client: T): T => {
    client.pipeline.addPolicy(writes.policy());
    client.pipeline.addPolicy(failFastWhenUnreachable(), { afterPhase: "Retry" });
    return client;
  };
  let compute: ComputeManagementClient | undefined;
  let network: NetworkManagementClient | undefined;
  let arm: ArmJson | undefined;
  return {
    settings,
    writes,
    resources: paced(new ResourceManagementClient(credential, settings.subscriptionId, options)),
    get arm() {
      return (arm ??= paced(createArmJson(credential, settings.subscriptionId, options)));
    },
    get compute() {
      const { ComputeManagementClient } = require("./sdk-compute.js") as typeof import("./sdk-compute.js");
      return (compute ??= paced(new ComputeManagementClient(credential, settings.subscriptionId, options)));
    },
    get network() {
      const { NetworkManagementClient } = require("./sdk-network.js") as typeof import("./sdk-network.js");
      return (network ??= paced(new NetworkManagementClient(credential, settings.subscriptionId, options)));
    },
  };
}

function credentialFor(env: Settings["env"]): TokenCredential {
  const token = env[TOKEN_ENV];
  if (token) {
    // A bearer token handed over as is (e.g. `az account get-access-token --query accessToken -o tsv`).
    return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
  }
  const { DefaultAzureCredential } = require("@azure/identity") as typeof import("@azure/identity");
  return new DefaultAzureCredential();
}

/**
 * Node reads NODE_EXTRA_CA_CERTS once, at start-up, and the SDK builds its own https agent. When the driver is handed
 * an environment naming another CA file than the one Node loaded (tests, an embedding program: Settings.extraCaFile),
 * that CA is given to the agent for the endpoint override. Only that CA: a `ca` list with all root certificates costs
 * ~70 ms of TLS context per connection, and an override endpoint is one server.
 */
function extraCa(file: string | undefined): { ca: string } | undefined {
  if (!file) return undefined;
  try {
    return { ca: readFileSync(file, "utf8") };
  } catch {
    return undefined;
  }
}
