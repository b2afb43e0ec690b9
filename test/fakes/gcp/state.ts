// What the fake Compute project holds: zones, machine types (from the bundled catalog), the public Ubuntu images,
// one network with a regional subnetwork, firewalls, instances and operations.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { catalogDir } from "../../../src/catalog/catalog";
import type { FakeInstance } from "./instances";
import type { FakeOperation } from "./operations";

export interface MachineType {
  name: string;
  guestCpus: number;
  memoryMb: number;
  arch: "X86_64" | "ARM64";
  isSharedCpu: boolean;
}

export interface Image {
  name: string;
  family: string;
  arch: "X86_64" | "ARM64";
  created: string;
  deprecated?: boolean;
  id: string;
}

export interface Firewall {
  id: string;
  name: string;
  created: string;
  body: Record<string, unknown>;
}

export interface FakeState {
  project: string;
  region: string;
  zones: string[];
  machineTypes: Map<string, Map<string, MachineType>>; // zone → name → type
  images: Image[];
  network: string;
  subnetwork: { name: string; cidr: string };
  firewalls: Map<string, Firewall>;
  instances: Map<string, FakeInstance>; // `${zone}/${name}` → instance
  operations: Map<string, FakeOperation>; // operation name → operation
  requestIds: Map<string, FakeOperation>;
  nextId: bigint;
  /** Regional CPUS quota reported by regions.get. */
  cpuQuota: number;
  /** Other regional quota limits by metric, over quotas.ts's defaults (PREEMPTIBLE_CPUS, IN_USE_ADDRESSES, N2_CPUS...). */
  quotaLimits: Record<string, number>;
  projectNumber: string;
  /**
   * What each service account may do in the project, by IAM permission ("*": every one). The Compute Engine default
   * service account gets the Editor role when the Compute API is enabled, unless the organization turned automatic
   * grants off: https://cloud.google.com/compute/docs/access/service-accounts#default_service_account
   */
  serviceAccountPermissions: Map<string, "*" | Set<string>>;
  /** Access tokens the metadata server handed to instances: token → the instance's service account and scopes. */
  instanceTokens: Map<string, { email: string; scopes: string[] }>;
}

export const defaultServiceAccount = (state: Pick<FakeState, "projectNumber">) =>
  `${state.projectNumber}-compute@developer.gserviceaccount.com`;

export const IMAGE_PROJECT = "ubuntu-os-cloud";

// Real family names in ubuntu-os-cloud (`gcloud compute images list --project ubuntu-os-cloud`); each family has an
// older deprecated image and a newer one, so getFromFamily must pick the newest non-deprecated.
const UBUNTU_IMAGES: Omit<Image, "id">[] = [
  {
    name: "ubuntu-2404-noble-amd64-v20250101",
    family: "ubuntu-2404-lts-amd64",
    arch: "X86_64",
    created: "2025-01-01T00:00:00.000-08:00",
    deprecated: true,
  },
  {
    name: "ubuntu-2404-noble-amd64-v20250530",
    family: "ubuntu-2404-lts-amd64",
    arch: "X86_64",
    created: "2025-05-30T00:00:00.000-07:00",
  },
  {
    name: "ubuntu-2404-noble-arm64-v20250101",
    family: "ubuntu-2404-lts-arm64",
    arch: "ARM64",
    created: "2025-01-01T00:00:00.000-08:00",
    deprecated: true,
  },
  {
    name: "ubuntu-2404-noble-arm64-v20250530",
    family: "ubuntu-2404-lts-arm64",
    arch: "ARM64",
    created: "2025-05-30T00:00:00.000-07:00",
  },
  {
    name: "ubuntu-2204-jammy-v20250101",
    family: "ubuntu-2204-lts",
    arch: "X86_64",
    created: "2025-01-01T00:00:00.000-08:00",
    deprecated: true,
  },
  {
    name: "ubuntu-2204-jammy-v20250530",
    family: "ubuntu-2204-lts",
    arch: "X86_64",
    created: "2025-05-30T00:00:00.000-07:00",
  },
  {
    name: "ubuntu-2204-jammy-arm64-v20250530",
    family: "ubuntu-2204-lts-arm64",
    arch: "ARM64",
    created: "2025-05-30T00:00:00.000-07:00",
  },
];

type CatalogRow = [string, number, number, "x86_64" | "arm64", string | null, number, boolean, number, number | null];

function loadCatalog(region: string): CatalogRow[] {
  const file = join(catalogDir(), "gcp", `${region}.json`);
  return (JSON.parse(readFileSync(file, "utf8")) as { rows: CatalogRow[] }).rows;
}

/**
 * Zones a, b, c of the region. Not every zone offers every type, as in a real region: zone a has no Arm types and
 * zone c lacks every fourth catalog type.
 */
export function createState(project: string, region: string): FakeState {
  const zones = ["a", "b", "c"].map((z) => `${region}-${z}`);
  const rows = loadCatalog(region);
  const machineTypes = new Map<string, Map<string, MachineType>>();
  zones.forEach((zone, zi) => {
    const types = new Map<string, MachineType>();
    rows.forEach(([name, vcpus, mem, arch, , , burstable], i) => {
      if (zi === 0 && arch === "arm64") return;
      if (zi === 2 && i % 4 === 3) return;
      types.set(name, {
        name,
        guestCpus: vcpus,
        memoryMb: Math.round(mem * 1024),
        arch: arch === "arm64" ? "ARM64" : "X86_64",
        isSharedCpu: burstable,
      });
    });
    machineTypes.set(zone, types);
  });
  const state: FakeState = {
    project,
    region,
    zones,
    machineTypes,
    images: [],
    network: "default",
    subnetwork: { name: "default", cidr: "10.128.0.0/20" },
    firewalls: new Map(),
    instances: new Map(),
    operations: new Map(),
    requestIds: new Map(),
    nextId: 4_000_000_000_000_000_000n,
    cpuQuota: 100_000,
    quotaLimits: {},
    projectNumber: "512376108824",
    serviceAccountPermissions: new Map(),
    instanceTokens: new Map(),
  };
  state.serviceAccountPermissions.set(defaultServiceAccount(state), "*");
  state.images = UBUNTU_IMAGES.map((img) => ({ ...img, id: newId(state) }));
  return state;
}

/** Compute resource ids are unsigned 64-bit integers, sent as decimal strings. */
export function newId(state: FakeState): string {
  state.nextId += 7919n;
  return state.nextId.toString();
}
