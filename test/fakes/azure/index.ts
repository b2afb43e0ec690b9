// The fake Azure Resource Manager: an https server on 127.0.0.1 speaking the ARM REST API as @azure/arm-compute,
// @azure/arm-network and @azure/arm-resources send it, with state, long-running operations and injectable faults.
// It holds one subscription in one location, a pre-existing shared network (resource group "cloudlaunch-net",
// VNet "shared-vnet", subnet "default") and leaves the cluster's resource group for the driver to create.
import { FaultBox, listen } from "../common.js";
import type { FakeCall, FakeCloud, FakeCloudOptions, FakeVm, StartFake } from "../harness.js";
import { ArmState, powerState, provisioningState, type SkuRestriction } from "./state.js";
import { createRouter } from "./router.js";
import { loadCatalog, VM } from "./compute.js";
import { NIC, PIP, VNET } from "./network.js";
import { RG_TYPE, rgId } from "./resources.js";
import { throwawayCertificate } from "./tls.js";
import { ArmRateLimits } from "./rate-limits.js";
import { GraphIndex } from "./resource-graph.js";
import { CLUSTER_TAG } from "../../../src/providers/provider.js";

export const FAKE_SUBSCRIPTION = "6f1c3e2a-4b5d-4e6f-8a9b-0c1d2e3f4a5b";
export const FAKE_LOCATION = "eastus";
export const FAKE_ZONES = ["1", "2", "3"];
export const SHARED_NETWORK_GROUP = "cloudlaunch-net";
export const CLUSTER_GROUP = "dask-rg";

export interface FakeAzureOptions extends FakeCloudOptions {
  /** Items per list page before a nextLink (default 100). */
  pageSize?: number;
  /** Sizes restricted for the subscription (resourceSkus restrictions; PUT answers SkuNotAvailable). */
  restrictions?: SkuRestriction[];
  /**
   * The time the throttling buckets see (default Date.now). A test that must overrun a bucket whatever the machine's
   * speed holds it still until the first throttled answer, since the buckets refill with elapsed time.
   */
  rateLimitClock?: () => number;
  /** Resource Graph's rows per answer before a $skipToken (default 1000, its maximum $top). */
  graphPageSize?: number;
  /** How far Resource Graph's index trails Resource Manager, in ms (default 0: always current). */
  graphLagMs?: number;
}

export interface FakeAzure extends FakeCloud {
  readonly subscription: string;
  /** The CA certificate (PEM) a client must trust to reach the fake. */
  readonly caCert: string;
  /** Restrict a size for the subscription, in the whole location or only in some zones. */
  restrictSku(size: string, zones?: string[]): void;
  /** The guest OS powers the VM off (`shutdown -h`, as max_lifetime does): stopped, but still allocated and billed. */
  guestShutdown(vmName: string): void;
  /** How far Resource Graph trails Resource Manager from now on (ms): its answers show the state that long ago. */
  setGraphLag(ms: number): void;
  /** Set a size's spot price in the Retail Prices API (the catalog's otherwise). */
  setSpotPrice(size: string, price: number | undefined): void;
}

export const startFakeAzure: StartFake = (options) => startFakeArm(options);

export async function startFakeArm(options: FakeAzureOptions = {}): Promise<FakeAzure> {
  const token = `fake-arm-token-${Math.random().toString(36).slice(2)}`;
  const state = new ArmState(FAKE_SUBSCRIPTION, FAKE_LOCATION, FAKE_ZONES);
  state.restrictions.push(...(options.restrictions ?? [{ size: "Standard_A1_v2", zones: ["3"] }]));
  loadCatalog(FAKE_LOCATION);
  seedSharedNetwork(state);
  const calls: FakeCall[] = [];
  const faults = new FaultBox();
  let latencyMs = options.latencyMs ?? 0;
  let baseUrl = "";
  const graph = new GraphIndex(state, options.graphPageSize);
  graph.setLag(options.graphLagMs ?? 0);
  const tls = throwawayCertificate();
  const router = createRouter({
    state,
    faults,
    calls,
    token: () => token,
    baseUrl: () => baseUrl,
    latencyMs: () => latencyMs,
    transitionMs: options.transitionMs ?? 20,
    pageSize: options.pageSize ?? 100,
    rateLimits: options.rateLimits === false ? undefined : new ArmRateLimits(options.rateLimitClock),
    graph,
  });
  const server = await listen(router, { port: options.port, tls: { key: tls.key, cert: tls.cert } });
  baseUrl = server.url;

  const env = {
    CLOUDLAUNCH_AZURE_ENDPOINT: server.url,
    CLOUDLAUNCH_AZURE_PRICES_ENDPOINT: server.url,
    CLOUDLAUNCH_AZURE_ACCESS_TOKEN: token,
    CLOUDLAUNCH_AZURE_POLL_INTERVAL_MS: "10",
    AZURE_SUBSCRIPTION_ID: FAKE_SUBSCRIPTION,
    // The fake's VMs run no Dask: `up` does not wait for it, `status` does not ask it (live tests turn this on).
    CLOUDLAUNCH_DASK_PROBE: "0",
    NODE_EXTRA_CA_CERTS: tls.certFile,
    // Belt and braces: nothing in the CLI may fall back to IMDS or the developer's az login against the fake.
    AZURE_CONFIG_DIR: `${tls.certFile}.no-az-cli`,
  };
  return {
    provider: "azure",
    url: server.url,
    subscription: FAKE_SUBSCRIPTION,
    caCert: tls.cert,
    setGraphLag: (ms) => graph.setLag(ms),
    setSpotPrice: (size, price) =>
      void (price === undefined ? state.spotPriceOverrides.delete(size) : state.spotPriceOverrides.set(size, price)),
    env,
    setConsoleOutput: (name, text) => state.consoles.set(name, text),
    badCredentialsEnv: { ...env, CLOUDLAUNCH_AZURE_ACCESS_TOKEN: "expired-or-forged-token" },
    spec: {
      region: FAKE_LOCATION,
      zones: FAKE_ZONES,
      subnet: `${rgId(state, SHARED_NETWORK_GROUP)}/providers/${VNET}/shared-vnet/subnets/default`,
      extra: { azure: { resource_group: CLUSTER_GROUP, subscription_id: FAKE_SUBSCRIPTION } },
    },
    calls,
    setLatency: (ms) => void (latencyMs = ms),
    inject: (f) => faults.inject(f),
    clearFaults: () => faults.clear(),
    setQuota: (kind, limit) => {
      state.quotaLimits[{ vcpus: "cores", "spot-vcpus": "lowPriorityCores", addresses: "PublicIPAddresses" }[kind]] =
        limit;
    },
    restrictSku: (size, zones) => void state.restrictions.push({ size, zones }),
    guestShutdown: (vmName) => {
      const vm = state.all().find((r) => r.type === VM && r.name === vmName);
      if (!vm) throw new Error(`fake ARM: no VM ${vmName}`);
      vm.power = { from: "running", to: "stopped", at: Date.now() };
      graph.changed();
    },
    vms: () =>
      state
        .all()
        .filter((r) => r.type === VM)
        .map((vm) => toFakeVm(state, vm)),
    resources: () =>
      state
        .all()
        .filter((r) => r.type !== VM)
        .map((r) => ({ kind: kindOf(r.type), id: r.id, tags: r.tags })),
    close: async () => {
      await server.close();
      tls.dispose();
    },
  };
}

function toFakeVm(state: ArmState, vm: ReturnType<ArmState["all"]>[number]): FakeVm {
  const nic = vm.owned?.map((o) => state.get(o.id)).find((r) => r?.type === NIC);
  const ipConf = nic?.properties.ipConfigurations?.[0]?.properties;
  const pip = ipConf?.publicIPAddress ? state.get(ipConf.publicIPAddress.id) : undefined;
  const prov = provisioningState(vm);
  return {
    id: vm.id,
    uid: vm.properties.vmId,
    name: vm.name,
    cluster: vm.tags[CLUSTER_TAG],
    state: prov === "Deleting" ? "deleting" : prov === "Failed" ? "failed" : (powerState(vm) ?? "unknown"),
    instanceType: vm.properties.hardwareProfile?.vmSize,
    zone: vm.zones?.[0] ?? "",
    publicIp: pip?.properties.ipAddress,
    privateIp: ipConf?.privateIPAddress,
    tags: vm.tags,
  };
}

const KINDS: Record<string, string> = {
  [RG_TYPE]: "resource group",
  [VNET]: "virtual network",
  [NIC]: "network interface",
  [PIP]: "public IP",
  "Microsoft.Network/networkSecurityGroups": "network security group",
  "Microsoft.Compute/disks": "disk",
};
const kindOf = (type: string) => KINDS[type] ?? type;

function seedSharedNetwork(state: ArmState) {
  const now = Date.now();
  const group = rgId(state, SHARED_NETWORK_GROUP);
  const base = { location: FAKE_LOCATION, resourceGroup: SHARED_NETWORK_GROUP, tags: {}, createdAt: now, readyAt: now };
  state.put({ ...base, id: group, name: SHARED_NETWORK_GROUP, type: RG_TYPE, properties: {} });
  const vnet = `${group}/providers/${VNET}/shared-vnet`;
  state.put({
    ...base,
    id: vnet,
    name: "shared-vnet",
    type: VNET,
    properties: {
      addressSpace: { addressPrefixes: ["10.20.0.0/16"] },
      subnets: [
        {
          name: "default",
          id: `${vnet}/subnets/default`,
          properties: { addressPrefix: "10.20.0.0/20", provisioningState: "Succeeded" },
        },
      ],
    },
  });
}
