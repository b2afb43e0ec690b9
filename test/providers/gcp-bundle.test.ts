// The built GCP driver carries Compute's protos narrowed at build time to the services of the client modules it
// bundles (scripts/gcp-protos.mjs). This builds every client the driver can construct from the built bundle and
// initializes it (where google-gax looks its service up in the protos): a client whose module the build did not
// see, or whose service the narrowed protos lack, fails here rather than at a user's run time. `status` runs from the
// bundles alone (src/providers/gcp/sdk-discovery.ts: the discovery client, google-auth-library and node-fetch).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cli, ROOT } from "../support/cli";
import { startFake } from "../support/fake-cloud";

const PROBE = `
const { createProvider } = require(${JSON.stringify(join(ROOT, "dist/provider-gcp.js"))});
(async () => {
  const env = { CLOUDLAUNCH_GCP_ENDPOINT: "http://127.0.0.1:9", CLOUDLAUNCH_GCP_ACCESS_TOKEN: "unused" };
  const settings = { env, gcp: { waitMs: 900000 }, skipQuotaCheck: false };
  const provider = await createProvider({ provider: "gcp", region: "us-central1", gcp: { project: "p" } }, settings);
  const clients = provider.clients;
  const getters = Object.entries(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(clients)))
    .filter(([, d]) => d.get).map(([name]) => name);
  // The discovery-based client (clients.discovery) has no protos: built from its own bundle, nothing to initialize.
  for (const name of getters) await clients[name].initialize?.();
  const fromNodeModules = Object.keys(require.cache).filter((f) => /@google(-cloud|apis)\\/compute\\//.test(f));
  console.log(JSON.stringify({ getters, fromNodeModules }));
})().catch((err) => { console.error(err); process.exit(1); });
`;

describe("the built GCP driver", () => {
  const built = existsSync(join(ROOT, "dist/provider-gcp.js"));

  (built ? it : it.skip)("bundles every Compute client it constructs, each with protos holding its service", () => {
    const r = spawnSync(process.execPath, ["-e", PROBE], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    const { getters, fromNodeModules } = JSON.parse(r.stdout);
    expect(getters).toEqual(expect.arrayContaining(["instances", "zoneOperations", "firewalls", "disks", "discovery"]));
    expect(fromNodeModules).toEqual([]);
  });

  (built ? it : it.skip)("runs `status` against the fake with nothing loaded from node_modules", async () => {
    const fake = await startFake("gcp");
    try {
      const { project } = fake.spec.extra.gcp as { project: string };
      const target = ["--provider", "gcp", "--region", fake.spec.region, "--project", project];
      const r = await cli(["status", "absent", "--json", ...target], {
        env: fake.env,
        nodeArgs: ["-r", join(ROOT, "test/support/report-node-modules.js")],
      });
      expect(r.code).toBe(1); // no such cluster
      expect(JSON.parse(r.stdout)).toMatchObject({ cluster: "absent", nodes: [] });
      expect(fake.calls.map((c) => c.action)).toEqual([expect.stringMatching(/aggregatedList/i)]);
      expect(r.stderr).toContain("NODE-MODULES-LOADED: []");
    } finally {
      await fake.close();
    }
  });
});
