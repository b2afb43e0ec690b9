// Spec defaults come from one place, the schema's `default` annotations (src/spec/resolve.ts): the loaded spec has
// them, and the planner and the drivers read them from there instead of restating them.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { typesIn } from "../../src/catalog/catalog";
import { hourlyCost, planCluster } from "../../src/plan/plan";
import { bootDiskHourly } from "../../src/plan/pricing";
import { vmBody } from "../../src/providers/azure/vm-spec";
import { instanceResource } from "../../src/providers/gcp/resources";
import { parseSpec } from "../../src/spec/load";
import { resolveSpec } from "../../src/spec/resolve";
import { ClusterSpecSchema, type ClusterSpec } from "../../src/spec/schema";

const MINIMAL = `name: demo
provider: gcp
region: us-central1
gcp: {project: p}
scheduler: {min_vcpus: 2}
workers: {count: 2, min_vcpus: 2}
network: {allowed_cidrs: [203.0.113.10/32]}
`;

interface Node {
  default?: unknown;
  properties?: Record<string, Node>;
}

/** Every `default` of the schema by its dotted path (only objects that themselves default to {} are entered). */
function schemaDefaults(node: Node, path: string[] = [], out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const at = [...path, key];
    if (child.default !== undefined && !child.properties) out.set(at.join("."), child.default);
    if (
      child.properties &&
      (path.length === 0 ? child.default !== undefined || key.match(/^(scheduler|workers)$/) : true)
    )
      schemaDefaults(child, at, out);
  }
  return out;
}

const at = (value: unknown, path: string) =>
  path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);

test("a spec that leaves a field out gets the schema's default for it, every one of them", () => {
  const { spec } = parseSpec(MINIMAL, "spec.yaml");
  const defaults = schemaDefaults(ClusterSpecSchema as Node);
  // The ones the planner and drivers read, so the walk above cannot silently find nothing.
  for (const path of ["disk_gib", "image", "arch", "security", "ssh.user", "dask.version", "workers.spot"])
    expect(defaults.has(path)).toBe(true);
  for (const [path, value] of defaults) expect([path, at(spec, path)]).toEqual([path, value]);
  expect(spec.disk_gib).toBe(50);
});

test("resolving does not change the spec it is given, and a value given is kept", () => {
  const input = { name: "demo", disk_gib: 77, ssh: { user: "alice" } } as ClusterSpec;
  const resolved = resolveSpec(input);
  expect(resolved).toMatchObject({ disk_gib: 77, ssh: { user: "alice" }, image: "ubuntu-24.04" });
  expect(input).toEqual({ name: "demo", disk_gib: 77, ssh: { user: "alice" } });
});

test("the planner and the drivers read the disk size from the resolved spec", () => {
  for (const disk of [undefined, 77]) {
    const { spec } = parseSpec(disk ? `${MINIMAL}disk_gib: ${disk}\n` : MINIMAL, "spec.yaml");
    const size = disk ?? 50;
    const plan = planCluster(spec, typesIn("gcp", spec.region), []);
    expect(hourlyCost(spec, plan.nodes).disks).toBeCloseTo(3 * bootDiskHourly("gcp", size), 6);

    const req = {
      name: "demo-scheduler",
      role: "scheduler" as const,
      candidates: plan.scheduler.candidates,
      spot: false,
      userData: () => "#cloud-config\n",
    };
    const target = { zone: "us-central1-a", machineType: req.candidates[0].type, sourceImage: "i", subnetwork: "s" };
    const gcp = instanceResource(spec, "demo", req, target) as {
      disks: { initializeParams: { diskSizeGb: string } }[];
    };
    expect(gcp.disks[0].initializeParams.diskSizeGb).toBe(String(size));

    const azure = vmBody({
      spec: { ...spec, provider: "azure", region: "eastus" },
      cluster: "demo",
      node: "demo-scheduler",
      role: "scheduler",
      size: "Standard_D2s_v5",
      spot: false,
      userData: "#cloud-config\n",
      subnetId: "subnet",
      nsgId: "nsg",
      sshPublicKey: "ssh-ed25519 AAAA",
    });
    expect(azure.storageProfile?.osDisk?.diskSizeGB).toBe(size);
    expect(azure.osProfile?.adminUsername).toBe("ubuntu");
  }
});

/** Every .ts file under src/. */
function sources(dir = join(__dirname, "../../src")): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

test("no default of the spec is restated outside the schema", () => {
  const restated =
    /\?\?\s*(50\b|"ubuntu(-2[24]\.04)?"|"x86_64"|DEFAULT_DASK_VERSION)|\.(spot|allow_burstable|security) \?\? /;
  const found = sources()
    .filter((file) => !file.endsWith(join("spec", "schema.ts")))
    .flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .map((line, i) => ({ where: `${file}:${i + 1}`, line }))
        .filter(({ line }) => restated.test(line)),
    );
  expect(found).toEqual([]);
});
