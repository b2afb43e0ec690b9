// How cloudlaunch names and labels its Compute resources, and the instance resource it inserts.
// Label rules: https://cloud.google.com/compute/docs/labeling-resources#requirements
import { v5 as uuidV5 } from "uuid";
import type { ResolvedSpec, RoleName } from "../../spec/schema.js";
import { specDurationSeconds } from "../../spec/duration.js";
import { publicKeyLine } from "../../spec/ssh-key.js";
import { CLUSTER_TAG, NODE_TAG, OWNER_TAG, ROLE_TAG, type LaunchRequest } from "../provider.js";

export const IMAGE_PROJECT = "ubuntu-os-cloud";

/** Keys: lowercase letters, digits, '_' and '-', starting with a letter; keys and values at most 63 characters. */
function labelKey(key: string): string {
  const k = key.toLowerCase().replace(/[^a-z0-9_-]/g, "_");
  return (/^[a-z]/.test(k) ? k : `t_${k}`).slice(0, 63);
}

export function labelValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "_")
    .slice(0, 63);
}

function nodeLabels(cluster: string, role: RoleName, node: string, userTags: Record<string, string> = {}) {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(userTags)) labels[labelKey(k)] = labelValue(v);
  return {
    ...labels,
    [OWNER_TAG]: "true",
    [CLUSTER_TAG]: labelValue(cluster),
    [ROLE_TAG]: role,
    [NODE_TAG]: labelValue(node),
  };
}

/** The network tag the cluster's firewall rules target; firewalls carry no labels, so this marks them too. */
export const networkTag = (cluster: string) => `cloudlaunch-${cluster}`;
export const firewallNames = (cluster: string) =>
  [`cloudlaunch-${cluster}-dask`, `cloudlaunch-${cluster}-internal`] as const;

/** The namespace of cloudlaunch's requestIds: uuid v5 of "cloudlaunch/gcp/requestId" in the URL namespace. */
const REQUEST_ID_NAMESPACE = "0a6dea1c-7189-5f66-ba9e-7f4f5e44fceb";

/**
 * A name-based (version 5) UUID of its parts: the same node launched again in the same attempt sends the same
 * requestId, so Compute acts once (see src/apply/attempt.ts).
 */
export function requestIdFor(...parts: string[]): string {
  return uuidV5(parts.join("\0"), REQUEST_ID_NAMESPACE);
}

/** Image alias → the Ubuntu LTS family for the arch; anything else is taken as an image path or URL. */
export function sourceImageFor(alias: string, arch: "x86_64" | "arm64"): string {
  const families: Record<string, Record<typeof arch, string>> = {
    "ubuntu-24.04": { x86_64: "ubuntu-2404-lts-amd64", arm64: "ubuntu-2404-lts-arm64" },
    "ubuntu-22.04": { x86_64: "ubuntu-2204-lts", arm64: "ubuntu-2204-lts-arm64" },
  };
  const family = families[alias]?.[arch];
  return family ? `projects/${IMAGE_PROJECT}/global/images/family/${family}` : alias;
}

/**
 * `ssh-keys` metadata ("user:key") from spec.ssh.public_key_file: validated as one public key (validation refused a
 * missing file or a private key already; this throws rather than send anything else into metadata).
 */
function sshKeysItem(spec: ResolvedSpec): { key: string; value: string } | undefined {
  const key = publicKeyLine(spec);
  return key ? { key: "ssh-keys", value: `${spec.ssh.user}:${key}` } : undefined;
}

export interface InstanceTarget {
  zone: string;
  machineType: string;
  sourceImage: string;
  subnetwork: string;
}

/** Who a node is, for its instance body: its name only matters to a single insert (bulkInsert names it per instance). */
export interface NodeIdentity {
  name?: string;
  role: RoleName;
  spot: boolean;
  userData: string;
}

/**
 * The instance body. For bulkInsert's instanceProperties (no name) the machine and disk types must be bare names (a
 * URL there makes the API answer INTERNAL_ERROR), and the node label is left out: labels are shared by the batch, and
 * the node is then known by its instance name.
 */
function instanceBody(spec: ResolvedSpec, cluster: string, node: NodeIdentity, target: InstanceTarget) {
  const labels: Record<string, string> = nodeLabels(cluster, node.role, node.name ?? "", spec.tags);
  if (!node.name) delete labels[NODE_TAG];
  const lifetime = spec.max_lifetime ? specDurationSeconds("max_lifetime", spec.max_lifetime) : undefined;
  const scheduling: Record<string, unknown> = {};
  if (node.spot)
    Object.assign(scheduling, {
      provisioningModel: "SPOT",
      automaticRestart: false,
      onHostMaintenance: "TERMINATE",
      instanceTerminationAction: "STOP",
    });
  if (lifetime)
    Object.assign(scheduling, { maxRunDuration: { seconds: String(lifetime) }, instanceTerminationAction: "DELETE" });
  const ssh = sshKeysItem(spec);
  const diskType = bootDiskType(target.machineType);
  const account = idleServiceAccount(spec);
  return {
    machineType: node.name ? `zones/${target.zone}/machineTypes/${target.machineType}` : target.machineType,
    labels,
    tags: { items: [networkTag(cluster)] },
    // Ubuntu's cloud-init reads the `user-data` metadata key on GCE.
    metadata: { items: [{ key: "user-data", value: node.userData }, ...(ssh ? [ssh] : [])] },
    disks: [
      {
        boot: true,
        autoDelete: true,
        initializeParams: {
          sourceImage: target.sourceImage,
          diskSizeGb: String(spec.disk_gib),
          diskType: node.name ? `zones/${target.zone}/diskTypes/${diskType}` : diskType,
          labels,
        },
      },
    ],
    // An ephemeral external IP: ONE_TO_ONE_NAT without natIP, never a reserved address.
    networkInterfaces: [
      { subnetwork: target.subnetwork, accessConfigs: [{ type: "ONE_TO_ONE_NAT", name: "External NAT" }] },
    ],
    scheduling,
    ...(account && { serviceAccounts: [account] }),
  };
}

/** Compute, read-write: enough for instances.delete (https://cloud.google.com/compute/docs/reference/rest/v1/instances/delete). */
export const COMPUTE_SCOPE = "https://www.googleapis.com/auth/compute";

/**
 * idle_timeout: a guest power-off only stops a Compute Engine VM, so an idle node deletes itself (templates/
 * gcp-delete-self.sh) with the token of this service account. An instance inserted through the API has no service
 * account unless the request names one; "default" is the project's Compute Engine default service account.
 * https://cloud.google.com/compute/docs/access/service-accounts#default_service_account
 */
function idleServiceAccount(spec: ResolvedSpec): { email: string; scopes: string[] } | undefined {
  if (!spec.idle_timeout) return undefined;
  return { email: spec.gcp?.service_account ?? "default", scopes: [COMPUTE_SCOPE] };
}

const userDataFor = (req: LaunchRequest, machineType: string) =>
  req.userData(req.candidates.find((c) => c.type === machineType) ?? req.candidates[0]);

export function instanceResource(spec: ResolvedSpec, cluster: string, req: LaunchRequest, target: InstanceTarget) {
  const node = { name: req.name, role: req.role, spot: req.spot, userData: userDataFor(req, target.machineType) };
  return { name: req.name, ...instanceBody(spec, cluster, node, target) };
}

/** bulkInsert's instanceProperties for requests that share role, spot and user data. */
export function instanceProperties(spec: ResolvedSpec, cluster: string, req: LaunchRequest, target: InstanceTarget) {
  return instanceBody(
    spec,
    cluster,
    { role: req.role, spot: req.spot, userData: userDataFor(req, target.machineType) },
    target,
  );
}

// The API's default boot disk is pd-standard; cost figures price pd-balanced. Newer families (N4, C4, C4A, C4D, X4,
// M4, A4) take only Hyperdisk: https://cloud.google.com/compute/docs/disks/hyperdisks#machine-type-support
const HYPERDISK_ONLY = /^(n4|n4a|c4|c4a|c4d|x4|m4|a4|a4x)-/;

function bootDiskType(machineType: string): string {
  return HYPERDISK_ONLY.test(machineType) ? "hyperdisk-balanced" : "pd-balanced";
}

/** spec.network.subnet: a name, `regions/R/subnetworks/S`, or a full URL; the subnetwork `default` otherwise. */
export function subnetworkRef(subnet: string | undefined, region: string): { region: string; name: string } {
  const m = /regions\/([^/]+)\/subnetworks\/([^/]+)$/.exec(subnet ?? "");
  return m ? { region: m[1], name: m[2] } : { region, name: subnet || "default" };
}

export const lastSegment = (link: string | null | undefined) =>
  String(link ?? "").slice(String(link ?? "").lastIndexOf("/") + 1);
