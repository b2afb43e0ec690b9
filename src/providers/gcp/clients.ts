// The Compute clients one command needs, each constructed on first use and then reused: requiring the package
// index loads every client (over a second), so only the per-service modules are required and only the clients a
// command touches are built. The build bundles these modules with protos narrowed to their services.
import type { GoogleAuth as GoogleAuthType, OAuth2Client as OAuth2ClientType } from "google-auth-library";
import type { InstancesClient } from "@google-cloud/compute/build/src/v1/instances_client";
import type { ZoneOperationsClient } from "@google-cloud/compute/build/src/v1/zone_operations_client";
import type { GlobalOperationsClient } from "@google-cloud/compute/build/src/v1/global_operations_client";
import type { FirewallsClient } from "@google-cloud/compute/build/src/v1/firewalls_client";
import type { ImagesClient } from "@google-cloud/compute/build/src/v1/images_client";
import type { MachineTypesClient } from "@google-cloud/compute/build/src/v1/machine_types_client";
import type { ZonesClient } from "@google-cloud/compute/build/src/v1/zones_client";
import type { SubnetworksClient } from "@google-cloud/compute/build/src/v1/subnetworks_client";
import type { RegionsClient } from "@google-cloud/compute/build/src/v1/regions_client";
import type { DisksClient } from "@google-cloud/compute/build/src/v1/disks_client";
import type { compute_v1 } from "@googleapis/compute/build/v1";
import { CloudError } from "../../errors.js";
import { ENDPOINT_ENV, TOKEN_ENV } from "./credentials.js";

const SCOPES = ["https://www.googleapis.com/auth/compute", "https://www.googleapis.com/auth/cloud-platform"];

export interface GcpClientOptions {
  apiEndpoint?: string;
  port?: number;
  protocol?: string;
  authClient?: OAuth2ClientType;
  /** Application Default Credentials, shared by every client so the credential chain is resolved once. */
  auth?: GoogleAuthType;
  scopes: string[];
}

/** Endpoint override (spec `gcp.endpoint`, else CLOUDLAUNCH_GCP_ENDPOINT) and static token, else ADC. */
export function clientOptions(specEndpoint: string | undefined, env: NodeJS.ProcessEnv): GcpClientOptions {
  const options: GcpClientOptions = { scopes: SCOPES };
  const endpoint = specEndpoint ?? env[ENDPOINT_ENV];
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint.includes("://") ? endpoint : `https://${endpoint}`);
    } catch {
      throw new CloudError(
        `Invalid GCP endpoint '${endpoint}': expected a URL like https://compute.example.com`,
        "invalid",
      );
    }
    // The REST transport joins protocol, host and port itself; the port must be explicit or it defaults to 443.
    options.protocol = url.protocol.replace(":", "");
    options.apiEndpoint = url.hostname;
    options.port = Number(url.port || (url.protocol === "http:" ? 80 : 443));
  }
  const token = env[TOKEN_ENV];
  // From the bundle the commands load anyway to list nodes: one copy of the credentials for every client.
  const { GoogleAuth, OAuth2Client, fetch } = require("./sdk-discovery.js") as typeof import("./sdk-discovery.js");
  const transporterOptions = { fetchImplementation: fetch as never };
  if (token) {
    const client = new OAuth2Client({ transporterOptions });
    client.setCredentials({ access_token: token });
    options.authClient = client;
  } else {
    options.auth = new GoogleAuth({ scopes: SCOPES, clientOptions: { transporterOptions } });
  }
  return options;
}

export class GcpClients {
  private readonly built = new Map<string, unknown>();
  constructor(
    private readonly options: GcpClientOptions,
    /** How long one operation, or a launch's wait for its instances, may take (CLOUDLAUNCH_GCP_WAIT_S). */
    readonly waitMs: number,
  ) {}

  // Each client's module is named in a literal require: the build bundles exactly these and narrows Compute's protos
  // to their services (scripts/gcp-protos.mjs), so a client added here is found by the build, not by a list.
  private client<T>(key: string, load: () => new (o: object) => T): T {
    let c = this.built.get(key) as T | undefined;
    if (!c) {
      const Client = load();
      c = new Client({ ...this.options });
      this.built.set(key, c);
    }
    return c;
  }

  get instances() {
    const load = () => require("@google-cloud/compute/build/src/v1/instances_client").InstancesClient;
    return this.client<InstancesClient>("instances_client", load);
  }
  get zoneOperations() {
    const load = () => require("@google-cloud/compute/build/src/v1/zone_operations_client").ZoneOperationsClient;
    return this.client<ZoneOperationsClient>("zone_operations_client", load);
  }
  get globalOperations() {
    const load = () => require("@google-cloud/compute/build/src/v1/global_operations_client").GlobalOperationsClient;
    return this.client<GlobalOperationsClient>("global_operations_client", load);
  }
  get firewalls() {
    const load = () => require("@google-cloud/compute/build/src/v1/firewalls_client").FirewallsClient;
    return this.client<FirewallsClient>("firewalls_client", load);
  }
  get images() {
    const load = () => require("@google-cloud/compute/build/src/v1/images_client").ImagesClient;
    return this.client<ImagesClient>("images_client", load);
  }
  get machineTypes() {
    const load = () => require("@google-cloud/compute/build/src/v1/machine_types_client").MachineTypesClient;
    return this.client<MachineTypesClient>("machine_types_client", load);
  }
  get zones() {
    const load = () => require("@google-cloud/compute/build/src/v1/zones_client").ZonesClient;
    return this.client<ZonesClient>("zones_client", load);
  }
  get subnetworks() {
    const load = () => require("@google-cloud/compute/build/src/v1/subnetworks_client").SubnetworksClient;
    return this.client<SubnetworksClient>("subnetworks_client", load);
  }
  get regions() {
    const load = () => require("@google-cloud/compute/build/src/v1/regions_client").RegionsClient;
    return this.client<RegionsClient>("regions_client", load);
  }
  get disks() {
    const load = () => require("@google-cloud/compute/build/src/v1/disks_client").DisksClient;
    return this.client<DisksClient>("disks_client", load);
  }

  /**
   * Google's discovery-based client, for the listings that grow with the cluster (nodes.ts): it hands back the REST
   * JSON as sent, where the clients above build their service's protobuf types on first use and convert every
   * instance twice (JSON → message → object). Same credentials and endpoint; retries are withRetry's, as above.
   */
  get discovery(): compute_v1.Compute {
    let c = this.built.get("discovery") as compute_v1.Compute | undefined;
    if (!c) {
      const { compute_v1 } = require("./sdk-discovery.js") as typeof import("./sdk-discovery.js");
      const { apiEndpoint, port, protocol } = this.options;
      c = new compute_v1.Compute({
        auth: this.options.authClient ?? this.options.auth,
        ...(apiEndpoint && { rootUrl: `${protocol ?? "https"}://${apiEndpoint}:${port ?? 443}/` }),
        retry: false,
      });
      this.built.set("discovery", c);
    }
    return c;
  }

  async close() {
    await Promise.all(
      [...this.built.values()].map((c) => (c as { close?(): Promise<void> }).close?.().catch(() => undefined)),
    );
  }
}
