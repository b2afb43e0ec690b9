// What the fake account holds: one default VPC with a default subnet per zone, Canonical's Ubuntu images, the
// region's instance types from the bundled catalog and where they are offered, a key pair, and the mutable state
// (security groups, instances, volumes). Instance states are computed from timestamps, not timers, so 10,000
// instances cost no more than their records.
import { existsSync, readFileSync } from "node:fs";
import { catalogDir } from "../../../src/catalog/catalog";
import { join } from "node:path";

export const ACCOUNT_ID = "123456789012";
export const CANONICAL_OWNER = "099720109477";

export type InstanceStateName = "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped";
export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export type Tags = Record<string, string>;

export interface Subnet {
  id: string;
  vpcId: string;
  zone: string;
  zoneId: string;
  cidr: string;
  hosts: number;
}

export interface Image {
  id: string;
  name: string;
  ownerId: string;
  architecture: "x86_64" | "arm64";
  creationDate: string;
}

export interface InstanceTypeInfo {
  type: string;
  vcpus: number;
  arch: "x86_64" | "arm64";
}

/** One state change in progress: `from` until `at` (epoch ms), `to` from then on. */
export interface Transition {
  from: InstanceStateName;
  to: InstanceStateName;
  at: number;
}

export interface Instance {
  id: string;
  reservationId: string;
  imageId: string;
  instanceType: string;
  architecture: string;
  zone: string;
  subnetId: string;
  vpcId: string;
  privateIp: string;
  /** The public IP of the current run; released when the instance stops, a new one on start. */
  publicIp?: string;
  keyName?: string;
  groupIds: string[];
  tags: Tags;
  launchTime: Date;
  amiLaunchIndex: number;
  clientToken?: string;
  spot: boolean;
  shutdownBehavior: string;
  userData?: string;
  volumeIds: string[];
  transition: Transition;
  /** MetadataOptions.InstanceMetadataTags at launch: whether the instance's tags are in its metadata (imds.ts). */
  metadataTags: boolean;
  /** Why the instance is (or will be) stopped or terminated, as DescribeInstances reports it in stateReason. */
  stateReason?: { code: string; message: string };
}

export interface Volume {
  id: string;
  size: number;
  zone: string;
  instanceId: string;
  tags: Tags;
  createTime: Date;
}

/** One ingress permission atom: a protocol/port range from one CIDR or one group. */
export interface IngressRule {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidr?: string;
  cidrV6?: string;
  groupId?: string;
}

export interface SecurityGroup {
  id: string;
  name: string;
  description: string;
  vpcId: string;
  tags: Tags;
  ingress: IngressRule[];
}

export interface WorldOptions {
  transitionMs: number;
  /** How long terminated instances stay visible in DescribeInstances (EC2: about an hour). */
  terminatedRetentionMs: number;
  /** Every instance's private and public address (live tests: a loopback address where real Dask runs). */
  fixedAddress?: string;
  /**
   * Every instance its own loopback address (127.0.1.1, 127.0.1.2, … never handed out twice), private and public
   * alike: live tests play each VM on its own address, so a re-created VM's address really moves.
   */
  loopbackAddresses?: boolean;
}

function findCatalog(region: string): string {
  const file = join(catalogDir(), "aws", `${region}.json`);
  if (!existsSync(file)) throw new Error(`fake EC2: no bundled catalog for region ${region}`);
  return file;
}

type CatalogRow = [string, number, number, "x86_64" | "arm64", string | null, number, boolean, number, number | null];

export class Ec2World {
  readonly vpcId = "vpc-0fa4e1c0ffee00001";
  readonly zones: string[];
  readonly subnets = new Map<string, Subnet>();
  readonly images = new Map<string, Image>();
  readonly types = new Map<string, InstanceTypeInfo>();
  /** Types the last zone does not offer: the cheapest plain types of each arch, so planners' choices hit it. */
  readonly unofferedInLastZone: string[];
  readonly keyPairs = new Map<string, string>([["cloudlaunch-fake", "key-0fa4e1c0ffee00001"]]);
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly instances = new Map<string, Instance>();
  readonly volumes = new Map<string, Volume>();
  /** Spot prices set by a test, by "type/zone" (spot-prices.ts derives the others from the catalog). */
  readonly spotPriceOverrides = new Map<string, number>();
  private counter = 0;
  private loopbackHosts = 0;

  constructor(
    readonly region: string,
    readonly options: WorldOptions,
  ) {
    this.zones = ["a", "b", "c"].map((z) => `${region}${z}`);
    this.zones.forEach((zone, i) => {
      const id = `subnet-0fa4e1c0ffee0000${i + 1}`;
      this.subnets.set(id, {
        id,
        vpcId: this.vpcId,
        zone,
        zoneId: `${region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`,
        cidr: `172.31.${16 * i}.0/20`,
        hosts: 0,
      });
    });
    const rows = (JSON.parse(readFileSync(findCatalog(region), "utf8")) as { rows: CatalogRow[] }).rows;
    for (const [type, vcpus, , arch] of rows) this.types.set(type, { type, vcpus, arch });
    const plain = (arch: string) =>
      rows
        .filter((r) => r[3] === arch && !r[4] && !r[6])
        .slice(0, 10)
        .map((r) => r[0]);
    this.unofferedInLastZone = [...plain("x86_64"), ...plain("arm64")];
    this.seedImages();
    this.securityGroups.set("sg-0fa4e1c0ffee00001", {
      id: "sg-0fa4e1c0ffee00001",
      name: "default",
      description: "default VPC security group",
      vpcId: this.vpcId,
      tags: {},
      ingress: [],
    });
  }

  private seedImages() {
    const releases = [
      { codename: "jammy", version: "22.04", volume: "hvm-ssd" },
      { codename: "noble", version: "24.04", volume: "hvm-ssd-gp3" },
    ];
    for (const r of releases) {
      for (const [arch, debArch] of [
        ["x86_64", "amd64"],
        ["arm64", "arm64"],
      ] as const) {
        for (const date of ["20240801", "20250115", "20250610"]) {
          const name = `ubuntu/images/${r.volume}/ubuntu-${r.codename}-${r.version}-${debArch}-server-${date}`;
          const id = this.newId("ami");
          const creationDate = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}T00:00:00.000Z`;
          this.images.set(id, { id, name, ownerId: CANONICAL_OWNER, architecture: arch, creationDate });
        }
      }
    }
    // A newer look-alike from another owner: picking it would mean the owner filter was forgotten.
    const id = this.newId("ami");
    this.images.set(id, {
      id,
      name: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20991231",
      ownerId: "999999999999",
      architecture: "x86_64",
      creationDate: "2099-12-31T00:00:00.000Z",
    });
  }

  newId(prefix: string): string {
    this.counter++;
    return `${prefix}-0${this.counter.toString(16).padStart(16, "0")}`;
  }

  offered(type: string, zone: string): boolean {
    if (!this.types.has(type) || !this.zones.includes(zone)) return false;
    return !(zone === this.zones[this.zones.length - 1] && this.unofferedInLastZone.includes(type));
  }

  nextPrivateIp(subnet: Subnet): string {
    if (this.options.fixedAddress) return this.options.fixedAddress;
    if (this.options.loopbackAddresses) {
      const n = this.loopbackHosts++;
      return `127.0.${1 + Math.floor(n / 254)}.${(n % 254) + 1}`;
    }
    // AWS reserves the first four addresses of every subnet.
    const n = 4 + subnet.hosts++;
    const [a, b, c] = subnet.cidr.split(".").map(Number);
    return `${a}.${b}.${c + Math.floor(n / 256)}.${n % 256}`;
  }

  stateOf(inst: Instance, now = Date.now()): InstanceStateName {
    return now >= inst.transition.at ? inst.transition.to : inst.transition.from;
  }

  /** Terminated instances drop out of every answer after the retention time. */
  visible(inst: Instance, now = Date.now()): boolean {
    return !(
      this.stateOf(inst, now) === "terminated" && now >= inst.transition.at + this.options.terminatedRetentionMs
    );
  }

  /** The public IP a launch or start maps: from the pool, or on loopback the instance's own address. */
  nextPublicIp(inst: Pick<Instance, "privateIp">, pool: { next(): string }): string {
    return this.options.loopbackAddresses ? inst.privateIp : pool.next();
  }

  publicIpOf(inst: Instance, now = Date.now()): string | undefined {
    const state = this.stateOf(inst, now);
    return state === "stopped" || state === "terminated" ? undefined : inst.publicIp;
  }

  /** Boot volumes are deleted with their instance (DeleteOnTermination defaults to true for the root volume). */
  volumeExists(vol: Volume, now = Date.now()): boolean {
    const owner = this.instances.get(vol.instanceId);
    return !owner || this.stateOf(owner, now) !== "terminated";
  }

  transition(inst: Instance, from: InstanceStateName, to: InstanceStateName, now = Date.now()) {
    inst.transition = { from, to, at: now + this.options.transitionMs };
  }
}
