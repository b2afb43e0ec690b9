// Where and from what a plan launches, resolved read-only before any mutation: the subnet(s) and VPC, the image,
// the key pair, and which candidate types each zone offers.
import {
  DescribeImagesCommand,
  DescribeKeyPairsCommand,
  DescribeSubnetsCommand,
  paginateDescribeInstanceTypeOfferings,
  type Image,
} from "@aws-sdk/client-ec2";
import { CloudError } from "../../errors.js";
import type { Plan } from "../../plan/types.js";
import type { Ec2Api } from "./client.js";

const CANONICAL_OWNER = "099720109477";

const ALIASES: Record<string, { codename: string; version: string }> = {
  "ubuntu-22.04": { codename: "jammy", version: "22.04" },
  "ubuntu-24.04": { codename: "noble", version: "24.04" },
};

export interface LaunchTarget {
  vpcId: string;
  /** Subnets to try in order: one for an explicit subnet or zone, else the default subnet of every zone. */
  subnets: { id: string; zone: string }[];
  image: { id: string; rootDeviceName: string };
  /** Instance type → zones (of `subnets`) that offer it. */
  offered: Map<string, Set<string>>;
}

async function resolveSubnets(
  api: Ec2Api,
  plan: Plan,
): Promise<{ vpcId: string; subnets: { id: string; zone: string }[] }> {
  const explicit = plan.spec.network?.subnet;
  const zone = plan.zone ?? plan.spec.zone;
  const { Subnets = [] } = await api.call("DescribeSubnets", (ec2) =>
    ec2.send(
      new DescribeSubnetsCommand(
        explicit
          ? { SubnetIds: [explicit] }
          : {
              Filters: [
                { Name: "default-for-az", Values: ["true"] },
                ...(zone ? [{ Name: "availability-zone", Values: [zone] }] : []),
              ],
            },
      ),
    ),
  );
  const subnets = Subnets.map((s) => ({ id: s.SubnetId!, zone: s.AvailabilityZone!, vpcId: s.VpcId! })).sort((a, b) =>
    a.zone.localeCompare(b.zone),
  );
  if (!subnets.length) {
    throw new CloudError(
      `No default subnet${zone ? ` in ${zone}` : ""} in ${plan.region} (no default VPC?). Set network.subnet to a subnet id in the spec.`,
      "not-found",
    );
  }
  if (explicit && zone && subnets[0].zone !== zone) {
    throw new CloudError(
      `Subnet ${explicit} is in ${subnets[0].zone}, but the spec asks for zone ${zone}; drop one of them.`,
      "invalid",
    );
  }
  return { vpcId: subnets[0].vpcId, subnets: subnets.map(({ id, zone }) => ({ id, zone })) };
}

async function resolveImage(api: Ec2Api, plan: Plan): Promise<LaunchTarget["image"]> {
  const wanted = plan.spec.image;
  const arch = plan.spec.arch;
  let image: Image | undefined;
  if (/^ami-[0-9a-f]+$/.test(wanted)) {
    const { Images = [] } = await api.call("DescribeImages", (ec2) =>
      ec2.send(new DescribeImagesCommand({ ImageIds: [wanted] })),
    );
    image = Images[0];
    if (image && image.Architecture !== arch) {
      throw new CloudError(`Image ${wanted} is ${image.Architecture}, but the spec asks for arch ${arch}.`, "invalid");
    }
  } else {
    const alias = ALIASES[wanted];
    if (!alias)
      throw new CloudError(
        `Unknown image "${wanted}": use ${Object.keys(ALIASES).join(" or ")}, or an AMI id (ami-...).`,
        "invalid",
      );
    const debArch = arch === "arm64" ? "arm64" : "amd64";
    const { Images = [] } = await api.call("DescribeImages", (ec2) =>
      ec2.send(
        new DescribeImagesCommand({
          Owners: [CANONICAL_OWNER],
          Filters: [
            { Name: "name", Values: [`ubuntu/images/*/ubuntu-${alias.codename}-${alias.version}-${debArch}-server-*`] },
            { Name: "architecture", Values: [arch] },
            { Name: "state", Values: ["available"] },
          ],
        }),
      ),
    );
    image = Images.sort((a, b) => (b.CreationDate ?? "").localeCompare(a.CreationDate ?? ""))[0];
  }
  if (!image?.ImageId) throw new CloudError(`No image ${wanted} (${arch}) found in ${plan.region}.`, "not-found");
  return { id: image.ImageId, rootDeviceName: image.RootDeviceName ?? "/dev/sda1" };
}

async function resolveOfferings(api: Ec2Api, types: string[], zones: string[]): Promise<Map<string, Set<string>>> {
  const offered = new Map<string, Set<string>>();
  // EC2 caps the values of one filter at 200.
  for (let i = 0; i < types.length; i += 200) {
    await api.call("DescribeInstanceTypeOfferings", async (ec2) => {
      const input = {
        LocationType: "availability-zone" as const,
        Filters: [
          { Name: "location", Values: zones },
          { Name: "instance-type", Values: types.slice(i, i + 200) },
        ],
      };
      for await (const page of paginateDescribeInstanceTypeOfferings({ client: ec2, pageSize: 1000 }, input)) {
        for (const o of page.InstanceTypeOfferings ?? []) {
          if (!offered.has(o.InstanceType!)) offered.set(o.InstanceType!, new Set());
          offered.get(o.InstanceType!)!.add(o.Location!);
        }
      }
    });
  }
  return offered;
}

export async function resolveTarget(api: Ec2Api, plan: Plan): Promise<LaunchTarget> {
  await api.checkCredentials();
  const { vpcId, subnets } = await resolveSubnets(api, plan);
  const image = await resolveImage(api, plan);
  const keyName = plan.spec.ssh?.key_name;
  if (keyName) {
    await api
      .call("DescribeKeyPairs", (ec2) => ec2.send(new DescribeKeyPairsCommand({ KeyNames: [keyName] })))
      .catch((err: CloudError) => {
        throw err.kind === "not-found"
          ? new CloudError(
              `Key pair "${keyName}" does not exist in ${plan.region}: create or import it (aws ec2 import-key-pair) or fix ssh.key_name.`,
              "not-found",
              err.code,
            )
          : err;
      });
  }
  const roles = [plan.scheduler, plan.workers].filter((choice) =>
    plan.nodes.some((n) => n.role === choice.role && n.action === "create"),
  );
  const types = [...new Set(roles.flatMap((r) => r.candidates.map((c) => c.type)))];
  const zones = subnets.map((s) => s.zone);
  const offered = types.length ? await resolveOfferings(api, types, zones) : new Map<string, Set<string>>();
  for (const role of roles) {
    if (!role.candidates.some((c) => offered.get(c.type)?.size)) {
      throw new CloudError(
        `None of the ${role.role} types (${role.candidates.map((c) => c.type).join(", ")}) is offered in ${zones.join(", ")}. ` +
          "Choose another zone or subnet, or other floors / instance_type.",
        "capacity",
        "Unsupported",
      );
    }
  }
  return { vpcId, subnets, image, offered };
}
