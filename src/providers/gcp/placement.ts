// Read-only lookups a launch needs, each made once per command and cached: the region's zones, whether a zone
// offers a machine type, the newest image of a family, and the subnetwork with its network.
import type { ResolvedSpec } from "../../spec/schema.js";
import { CloudError } from "../../errors.js";
import type { GcpClients } from "./clients.js";
import { describeFailure, withRetry } from "./errors.js";
import { IMAGE_PROJECT, sourceImageFor, subnetworkRef } from "./resources.js";

export interface Subnetwork {
  selfLink: string;
  network: string;
}

export class Placement {
  private zoneList?: Promise<string[]>;
  private readonly offered = new Map<string, Promise<boolean>>();
  private readonly images = new Map<string, Promise<string>>();
  private subnet?: Promise<Subnetwork>;

  constructor(
    private readonly clients: GcpClients,
    private readonly project: string,
    private readonly region: string,
  ) {}

  /** The region's zones that are UP, in name order (zones.list covers every region; one or two pages). */
  zones(): Promise<string[]> {
    this.zoneList ??= withRetry(`list the zones of ${this.region}`, async () => {
      const [zones] = await this.clients.zones.list({ project: this.project, maxResults: 500 });
      return zones
        .filter((z) => z.name?.startsWith(`${this.region}-`) && z.status !== "DOWN")
        .map((z) => String(z.name))
        .sort();
    });
    return this.zoneList;
  }

  offers(zone: string, machineType: string): Promise<boolean> {
    const key = `${zone}/${machineType}`;
    let known = this.offered.get(key);
    if (!known) {
      known = withRetry(`look up ${machineType} in ${zone}`, () =>
        this.clients.machineTypes.get({ project: this.project, zone, machineType }).then(
          () => true,
          (err) => {
            if (describeFailure(err).httpStatus === 404) return false;
            throw err;
          },
        ),
      );
      this.offered.set(key, known);
    }
    return known;
  }

  /** Zones offering the type, in name order; a zone the spec pins is the only one (the plan never leaves it). */
  async zonesOffering(machineType: string, pinned?: string): Promise<string[]> {
    const zones = await this.zones();
    const ordered = pinned ? zones.filter((z) => z === pinned) : zones;
    const offers = await Promise.all(ordered.map((z) => this.offers(z, machineType)));
    return ordered.filter((_, i) => offers[i]);
  }

  /** The image to boot: for an alias, the newest non-deprecated image of its family, resolved by getFromFamily. */
  image(spec: Pick<ResolvedSpec, "image">, arch: "x86_64" | "arm64"): Promise<string> {
    const source = sourceImageFor(spec.image, arch);
    const m = /^projects\/([^/]+)\/global\/images\/family\/([^/]+)$/.exec(source);
    if (!m) return Promise.resolve(source);
    let found = this.images.get(source);
    if (!found) {
      found = withRetry(`find the newest image of family ${m[2]}`, async () => {
        const [image] = await this.clients.images.getFromFamily({ project: m[1] ?? IMAGE_PROJECT, family: m[2] });
        return String(image.selfLink);
      });
      this.images.set(source, found);
    }
    return found;
  }

  subnetwork(spec: Pick<ResolvedSpec, "network">): Promise<Subnetwork> {
    this.subnet ??= (async () => {
      const ref = subnetworkRef(spec.network?.subnet, this.region);
      if (ref.region !== this.region) {
        throw new CloudError(
          `Subnetwork ${spec.network?.subnet} is in ${ref.region}, not in the cluster's region ${this.region}.`,
          "invalid",
        );
      }
      const [sub] = await withRetry(`read subnetwork ${ref.name} in ${ref.region}`, () =>
        this.clients.subnetworks.get({ project: this.project, region: ref.region, subnetwork: ref.name }),
      );
      return { selfLink: String(sub.selfLink), network: String(sub.network) };
    })();
    return this.subnet;
  }
}
