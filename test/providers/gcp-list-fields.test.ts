// listNodes asks Compute for a partial response (`fields`, NODE_INFO_FIELDS) through the discovery-based client
// (@googleapis/compute): what it returns must equal the nodes read from the full listing by @google-cloud/compute, so
// a field toNodeInfo starts reading fails here until the mask names it, and the two clients must read alike.
// Through the real SDKs against the fake, which answers partial responses as documented (test/fakes/gcp/field-mask.ts).
import type { InstanceType } from "../../src/catalog/types";
import type { Plan, RoleChoice } from "../../src/plan/types";
import type { ClusterSpec } from "../../src/spec/schema";
import { createProvider, type GcpProvider } from "../../src/providers/gcp/index";
import { settingsFrom } from "../../src/settings";
import { resolved } from "../support/spec";
import { clientOptions, GcpClients } from "../../src/providers/gcp/clients";
import { listInstances, NODE_INFO_FIELDS, toNodeInfo } from "../../src/providers/gcp/nodes";
import { startFakeGcp } from "../fakes/gcp/index";
import { applyMask, parseMask } from "../fakes/gcp/field-mask";
import type { FakeCloud } from "../fakes/harness";

const E2: InstanceType = {
  type: "e2-standard-2",
  vcpus: 2,
  memoryGib: 8,
  arch: "x86_64",
  accelerator: null,
  acceleratorCount: 0,
  burstable: false,
  priceHourly: 0.067,
  spotPriceHourly: null,
};

function plan(fake: FakeCloud, cluster: string, workers: number): Plan {
  const spec = resolved({
    name: cluster,
    provider: "gcp",
    region: fake.spec.region,
    gcp: fake.spec.extra.gcp as { project: string },
    scheduler: {},
    workers: { count: workers },
    network: { subnet: fake.spec.subnet, allowed_cidrs: ["203.0.113.0/24"] },
    disk_gib: 30,
  } as ClusterSpec);
  const choice = (role: "scheduler" | "worker"): RoleChoice => ({
    role,
    chosen: E2,
    runnerUp: E2,
    candidates: [E2],
    spot: role === "worker",
    explicit: false,
    placements: fake.spec.zones.map((zone) => ({ type: E2.type, zone })),
  });
  const names = [`${cluster}-scheduler`, ...Array.from({ length: workers }, (_, i) => `${cluster}-worker-${i + 1}`)];
  const nodes = names.map((name, i) => ({
    name,
    role: i === 0 ? ("scheduler" as const) : ("worker" as const),
    action: "create" as const,
    instanceType: E2.type,
    vcpus: 2,
    memoryGib: 8,
    spot: i > 0,
    priceHourly: E2.priceHourly,
  }));
  return {
    cluster,
    provider: "gcp",
    region: fake.spec.region,
    spec,
    scheduler: choice("scheduler"),
    workers: choice("worker"),
    nodes,
    firewall: { tcpPorts: [22, 8786], allowedCidrs: ["203.0.113.0/24"] },
    hourlyCost: { instances: 0, publicIps: 0, disks: 0, total: 0 },
    warnings: [],
  };
}

describe("GCP listNodes with a partial response", () => {
  let fake: FakeCloud;
  beforeAll(async () => {
    fake = await startFakeGcp({ transitionMs: 20 });
  });
  afterAll(() => fake.close());

  it("returns what the full listing gives, for a cluster and for all clusters", async () => {
    const gcp = (await createProvider(
      { provider: "gcp", region: fake.spec.region, gcp: fake.spec.extra.gcp as { project: string } },
      settingsFrom(fake.env),
    )) as GcpProvider;
    const p = plan(fake, "fm", 3);
    const requests = p.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      candidates: [E2],
      spot: n.spot,
      userData: () => "#cloud-config\n",
    }));
    await gcp.launch(p, requests, { update: () => undefined, note: () => undefined });
    const project = (fake.spec.extra.gcp as { project: string }).project;
    const clients = new GcpClients(clientOptions(undefined, fake.env), settingsFrom(fake.env).gcp.waitMs);
    for (const cluster of ["fm", undefined]) {
      const full = (await listInstances(clients, project, fake.spec.region, cluster)).map(toNodeInfo);
      const masked = await gcp.listNodes(cluster);
      expect(masked.length).toBe(4);
      expect(masked).toEqual(full);
    }
    await clients.close();
  });

  it("survives throttling and names a failure as the other clients' errors do", async () => {
    const gcp = await createProvider(
      { provider: "gcp", region: fake.spec.region, gcp: fake.spec.extra.gcp as { project: string } },
      settingsFrom(fake.env),
    );
    fake.inject({ kind: "throttle", action: "compute.instances.aggregatedList", times: 2 });
    expect(await gcp.listNodes("fm")).toHaveLength(4);
    const throttled = fake.calls.filter((c) => c.action === "compute.instances.aggregatedList" && c.throttled);
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    const missing = await createProvider(
      { provider: "gcp", region: fake.spec.region, gcp: { project: "nope" } },
      settingsFrom(fake.env),
    );
    await expect(missing.listNodes("fm")).rejects.toMatchObject({
      kind: "not-found",
      message: expect.stringMatching(/^Not found while trying to list instances: .*nope/),
    });
  });

  it("the fake keeps only the selected fields, in maps and arrays", () => {
    const listing = {
      kind: "compute#instanceAggregatedList",
      items: {
        "zones/a": {
          instances: [
            {
              name: "x",
              metadata: { items: [] },
              networkInterfaces: [
                { name: "nic0", networkIP: "10.0.0.2", accessConfigs: [{ natIP: "34.1.1.1", type: "ONE_TO_ONE_NAT" }] },
              ],
            },
          ],
        },
        "zones/b": { warning: { code: "NO_RESULTS_ON_PAGE" } },
      },
      nextPageToken: "t",
    };
    expect(applyMask(listing, parseMask(NODE_INFO_FIELDS))).toEqual({
      items: {
        "zones/a": {
          instances: [
            { name: "x", networkInterfaces: [{ networkIP: "10.0.0.2", accessConfigs: [{ natIP: "34.1.1.1" }] }] },
          ],
        },
        "zones/b": { warning: { code: "NO_RESULTS_ON_PAGE" } },
      },
      nextPageToken: "t",
    });
    expect(() => parseMask("a(b")).toThrow();
  });
});
