// The one definition of the cluster spec: TypeScript types, runtime validation and the shipped JSON Schema
// (schema/cluster.schema.json, written by `npm run schema`) all come from these TypeBox declarations.
import { Type, type Static } from "@sinclair/typebox";

/** A recent release that still supports Python 3.10 (Ubuntu 22.04's python3). */
export const DEFAULT_DASK_VERSION = "2025.5.1";

export const PROVIDERS = ["aws", "gcp", "azure"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

const strict = { additionalProperties: false } as const;

const RoleSchema = Type.Object(
  {
    instance_type: Type.Optional(
      Type.String({ minLength: 1, description: "An explicit instance type / machine type / VM size" }),
    ),
    min_vcpus: Type.Optional(
      Type.Number({ minimum: 1, description: "Floor: the cheapest type with at least this many vCPUs" }),
    ),
    min_memory_gib: Type.Optional(
      Type.Number({ minimum: 0, description: "Floor: and at least this much memory (GiB)" }),
    ),
    spot: Type.Optional(
      Type.Boolean({ default: false, description: "Spot / preemptible capacity, priced at the spot price" }),
    ),
    allow_burstable: Type.Optional(
      Type.Boolean({
        default: false,
        description: "Allow burstable/shared-core types (AWS t*, GCP e2-micro/small/medium, Azure B*)",
      }),
    ),
  },
  strict,
);

const WorkersSchema = Type.Composite(
  [
    Type.Object({
      count: Type.Integer({ minimum: 0, maximum: 10000, description: "Number of workers (0 to 10,000)" }),
    }),
    RoleSchema,
  ],
  strict,
);

export const ClusterSpecSchema = Type.Object(
  {
    name: Type.String({
      pattern: "^[a-z][a-z0-9-]*$",
      maxLength: 40,
      description: "Cluster name: lowercase letters, digits, hyphens; starts with a letter; at most 40 characters",
    }),
    provider: Type.Union(
      PROVIDERS.map((p) => Type.Literal(p)),
      { description: "aws | gcp | azure" },
    ),
    region: Type.String({ minLength: 1, description: "AWS region, GCP region or Azure location" }),
    zone: Type.Optional(Type.String({ minLength: 1, description: "Availability zone (optional)" })),
    image: Type.Optional(
      Type.String({ default: "ubuntu-24.04", description: "ubuntu-22.04 | ubuntu-24.04, or a provider image id" }),
    ),
    arch: Type.Optional(Type.Union([Type.Literal("x86_64"), Type.Literal("arm64")], { default: "x86_64" })),
    scheduler: RoleSchema,
    workers: WorkersSchema,
    network: Type.Object(
      {
        subnet: Type.Optional(
          Type.String({ description: "AWS subnet id / GCP subnetwork / Azure subnet resource id" }),
        ),
        allowed_cidrs: Type.Array(Type.String(), {
          minItems: 1,
          description: "Who may reach SSH 22 and Dask 8786/8787",
        }),
      },
      strict,
    ),
    ssh: Type.Optional(
      Type.Object(
        {
          key_name: Type.Optional(Type.String({ description: "AWS key pair name" })),
          public_key_file: Type.Optional(
            Type.String({ description: "Public key installed on the nodes (GCP, Azure)" }),
          ),
          user: Type.Optional(Type.String({ default: "ubuntu", pattern: "^[a-z_][a-z0-9_-]*$" })),
        },
        { ...strict, default: {} },
      ),
    ),
    disk_gib: Type.Optional(
      Type.Integer({ minimum: 10, maximum: 16384, default: 50, description: "Boot disk size per node (GiB)" }),
    ),
    tags: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        default: {},
        description: "User tags/labels added to every resource",
      }),
    ),
    dask: Type.Optional(
      Type.Object(
        {
          version: Type.Optional(
            Type.String({
              pattern: "^[0-9][0-9a-z.+-]*$",
              default: DEFAULT_DASK_VERSION,
              description: "Pinned dask/distributed version",
            }),
          ),
          pip_packages: Type.Optional(
            Type.Array(Type.String(), { default: [], description: "Extra pip packages for every node" }),
          ),
          setup_commands: Type.Optional(
            Type.Array(Type.String(), { default: [], description: "Shell commands run before Dask starts" }),
          ),
          shutdown_on_bootstrap_failure: Type.Optional(
            Type.Boolean({
              default: false,
              description: "A node whose bootstrap fails powers itself off 15 minutes later",
            }),
          ),
        },
        { ...strict, default: {} },
      ),
    ),
    security: Type.Optional(Type.Boolean({ default: true, description: "TLS between client, scheduler and workers" })),
    max_lifetime: Type.Optional(
      Type.String({
        pattern: "^[0-9]+[mhd]$",
        description: "Nodes shut themselves down (terminate where supported) after this, e.g. 8h",
      }),
    ),
    budget: Type.Optional(
      Type.Object(
        {
          max_hourly_usd: Type.Number({
            exclusiveMinimum: 0,
            description:
              "Ceiling on the plan's $/hour (instances + public IPv4 + disks); a plan above it is a spec error",
          }),
        },
        { ...strict, description: "What the cluster may cost" },
      ),
    ),
    idle_timeout: Type.Optional(
      Type.String({
        pattern: "^[0-9]+[mhd]$",
        description:
          "Power the cluster off after this long with no tasks and no clients (Dask's idle timeout), e.g. 30m",
      }),
    ),
    gcp: Type.Optional(
      Type.Object(
        {
          project: Type.String({ minLength: 1 }),
          service_account: Type.Optional(
            Type.String({
              pattern: "^[^@\\s]+@[^@\\s]+\\.gserviceaccount\\.com$",
              description:
                "With idle_timeout, the service account the VMs run as to delete themselves (it needs compute.instances.delete); the project's Compute Engine default service account otherwise",
            }),
          ),
          endpoint: Type.Optional(
            Type.String({ description: "Compute API endpoint override (also CLOUDLAUNCH_GCP_ENDPOINT)" }),
          ),
        },
        strict,
      ),
    ),
    azure: Type.Optional(
      Type.Object(
        {
          subscription_id: Type.Optional(Type.String({ description: "Or AZURE_SUBSCRIPTION_ID" })),
          resource_group: Type.String({ minLength: 1 }),
          endpoint: Type.Optional(
            Type.String({ description: "Resource Manager endpoint override (also CLOUDLAUNCH_AZURE_ENDPOINT)" }),
          ),
        },
        strict,
      ),
    ),
  },
  { ...strict, $id: "https://cloudlaunch.dev/schema/cluster.schema.json", title: "cloudlaunch cluster spec" },
);

export type RoleSpec = Static<typeof RoleSchema>;
export type ClusterSpec = Static<typeof ClusterSpecSchema>;
type WorkersSpec = Static<typeof WorkersSchema>;
export type RoleName = "scheduler" | "worker";

/** `T` with the keys `K` present: what a default in the schema guarantees once applied. */
type Defaulted<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> };
type SshSpec = NonNullable<ClusterSpec["ssh"]>;
type DaskSpec = NonNullable<ClusterSpec["dask"]>;

export type ResolvedRole = Defaulted<RoleSpec, "spot" | "allow_burstable">;
/**
 * The spec after src/spec/resolve.ts applied the schema's defaults: every field with a `default` above is present,
 * so nothing downstream (planner, drivers, bootstrap) restates one. Optional fields left are those whose absence
 * means something (zone, subnet, budget, max_lifetime, ...).
 */
export type ResolvedSpec = Omit<
  Defaulted<ClusterSpec, "image" | "arch" | "disk_gib" | "tags" | "security">,
  "scheduler" | "workers" | "ssh" | "dask"
> & {
  scheduler: ResolvedRole;
  workers: ResolvedRole & Pick<WorkersSpec, "count">;
  ssh: Defaulted<SshSpec, "user">;
  dask: Defaulted<DaskSpec, "version" | "pip_packages" | "setup_commands" | "shutdown_on_bootstrap_failure">;
};
