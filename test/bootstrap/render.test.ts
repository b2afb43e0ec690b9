// What the renderer puts in a node's user data, read back the way the node reads it: the YAML document, then
// cloudlaunch.env sourced by bash.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import {
  connectionSnippet,
  DEFAULT_DASK_VERSION,
  renderUserData,
  schedulerAddress,
  workerLayout,
} from "../../src/bootstrap/index.js";
import { ensureClusterTls, type ClusterTls } from "../../src/bootstrap/tls.js";
import { PlanError } from "../../src/errors.js";
import { inputFor, tempHome } from "./fixtures.js";
import { decodedContent, sourceSettings, type CloudConfig } from "./tools.js";
import { resolved } from "../support/spec.js";

const home = tempHome();
let tls: ClusterTls;
beforeAll(async () => {
  tls = await ensureClusterTls("demo", home.env);
});
afterAll(() => home.cleanup());

function read(userData: string): { config: CloudConfig; files: Map<string, { text: string; permissions: string }> } {
  expect(userData.startsWith("#cloud-config\n")).toBe(true);
  const config = parse(userData, { version: "1.1" }) as CloudConfig;
  return {
    config,
    files: new Map(config.write_files.map((f) => [f.path, { text: decodedContent(f), permissions: f.permissions }])),
  };
}

test("a TLS scheduler: scripts, units, settings and its own certificate and key at 0600, never the CA key", () => {
  const userData = renderUserData(inputFor({ provider: "aws", role: "scheduler", tls: true }, tls));
  const { config, files } = read(userData);
  expect(config.runcmd).toEqual([["/opt/cloudlaunch/bootstrap.sh"]]);
  expect(files.get("/etc/cloudlaunch/tls/ca.pem")).toEqual({ text: tls.caPem, permissions: "0600" });
  expect(files.get("/etc/cloudlaunch/tls/node.pem")).toEqual({ text: tls.scheduler.certPem, permissions: "0600" });
  expect(files.get("/etc/cloudlaunch/tls/node-key.pem")).toEqual({ text: tls.scheduler.keyPem, permissions: "0600" });
  expect(userData).not.toContain(readFileSync(join(tls.dir, "ca-key.pem"), "utf8").split("\n")[1]);
  expect(userData).not.toContain(tls.worker.keyPem.split("\n")[1]);
  for (const script of ["bootstrap.sh", "arm-lifetime.sh", "setup-dask.sh", "start-dask.sh"])
    expect(files.get(`/opt/cloudlaunch/${script}`)?.permissions).toBe("0755");

  const { vars } = sourceSettings(files.get("/etc/cloudlaunch/cloudlaunch.env")!.text);
  expect(vars).toMatchObject({
    CLOUDLAUNCH_ROLE: "scheduler",
    DASK_PROTOCOL: "tls",
    DASK_SCHEDULER_PORT: "8786",
    DASK_DASHBOARD_PORT: "8787",
    DASK_SCHEDULER_ADDRESS: "",
  });
  expect(vars.CLOUDLAUNCH_MAX_LIFETIME_MINUTES).toBe("480");
});

test("the systemd unit starts the shipped script, restarts it, and is enabled for every boot", () => {
  const { files } = read(renderUserData(inputFor({ provider: "gcp", role: "worker", tls: true }, tls)));
  const unit = files.get("/etc/systemd/system/cloudlaunch-dask.service")!.text;
  expect(unit).toMatch(/^ExecStart=\/opt\/cloudlaunch\/start-dask\.sh \/etc\/cloudlaunch$/m);
  expect(unit).toMatch(/^Restart=always$/m);
  expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
  expect(files.get("/opt/cloudlaunch/bootstrap.sh")!.text).toContain("systemctl enable --now cloudlaunch-dask.service");
});

test("a worker dials the scheduler's private address and is sized from its vCPUs and memory", () => {
  const input = { ...inputFor({ provider: "azure", role: "worker", tls: true }, tls), vcpus: 16, memoryGib: 64 };
  const { files } = read(renderUserData(input));
  expect(files.get("/etc/cloudlaunch/tls/node.pem")?.text).toBe(tls.worker.certPem);
  const { vars, pip, setup } = sourceSettings(files.get("/etc/cloudlaunch/cloudlaunch.env")!.text);
  expect(vars).toMatchObject({
    DASK_SCHEDULER_ADDRESS: "tls://10.1.2.3:8786",
    DASK_NWORKERS: "4",
    DASK_NTHREADS: "4",
    CLOUDLAUNCH_NODE: "demo-worker-1",
  });
  expect(Number(vars.DASK_MEMORY_LIMIT)).toBe(workerLayout(16, 64).memoryLimit);
  expect(pip).toEqual(["pyarrow==17.0.0"]);
  expect(setup).toEqual(["apt-get install -y htop"]);
});

test("security: false ships no TLS files and plain tcp addresses", () => {
  const { files } = read(renderUserData(inputFor({ provider: "aws", role: "worker", tls: false }, tls)));
  expect([...files.keys()].filter((p) => p.includes("/tls/"))).toEqual([]);
  const { vars } = sourceSettings(files.get("/etc/cloudlaunch/cloudlaunch.env")!.text);
  expect(vars).toMatchObject({ DASK_PROTOCOL: "tcp", DASK_SCHEDULER_ADDRESS: "tcp://10.1.2.3:8786" });
  expect(JSON.parse(files.get("/etc/cloudlaunch/node.json")!.text)).toMatchObject({
    tls: false,
    scheduler: "tcp://10.1.2.3:8786",
    tags: { team: "data" },
  });
});

test("defaults: the default Dask release, no extra packages or commands, no lifetime", () => {
  const input = inputFor({ provider: "gcp", role: "scheduler", tls: false }, tls);
  const { files } = read(renderUserData({ ...input, spec: resolved({ security: false }) }));
  const settings = sourceSettings(files.get("/etc/cloudlaunch/cloudlaunch.env")!.text);
  expect(settings).toEqual(expect.objectContaining({ pip: [], setup: [] }));
  expect(settings.vars).toMatchObject({ DASK_VERSION: DEFAULT_DASK_VERSION, CLOUDLAUNCH_MAX_LIFETIME_MINUTES: "" });
});

test("programming errors are caught: a worker without the scheduler address, TLS on without material", () => {
  const worker = inputFor({ provider: "aws", role: "worker", tls: true }, tls);
  expect(() => renderUserData({ ...worker, schedulerHost: undefined })).toThrow(/scheduler's address/);
  expect(() => renderUserData({ ...worker, tls: undefined })).toThrow(/no TLS material/);
});

test.each([
  [1, 1, 1],
  [2, 2, 1],
  [4, 4, 1],
  [6, 3, 2],
  [8, 4, 2],
  [16, 4, 4],
  [96, 12, 8],
  [7, 7, 1],
])("workerLayout(%i vCPUs) = %i processes × %i threads (Dask's own rule)", (vcpus, nworkers, nthreads) => {
  const layout = workerLayout(vcpus, 32);
  expect({ nworkers: layout.nworkers, nthreads: layout.nthreads }).toEqual({ nworkers, nthreads });
});

test.each([1, 2, 4, 16, 64, 768])(
  "workerLayout memory on %i GiB leaves room for the OS but uses at least half",
  (gib) => {
    const { nworkers, memoryLimit } = workerLayout(8, gib);
    const total = nworkers * memoryLimit;
    expect(total).toBeLessThan(gib * 2 ** 30);
    expect(total).toBeGreaterThanOrEqual(gib * 2 ** 30 * 0.5 - nworkers);
    expect(gib * 2 ** 30 - total).toBeLessThanOrEqual(4 * 2 ** 30 + nworkers);
  },
);

test("scheduler addresses", () => {
  expect(schedulerAddress("10.0.0.4", true)).toBe("tls://10.0.0.4:8786");
  expect(schedulerAddress("fd00::4", false)).toBe("tcp://[fd00::4]:8786");
  expect(() => schedulerAddress("10.0.0.4:1/x", true)).toThrow(PlanError);
});

test("the connection snippet: Security with the local files and require_encryption, or a plain Client; both check versions", () => {
  const files = {
    caPath: "/home/a b/ca.pem",
    certPath: `/home/it's "me"/client.pem`,
    keyPath: "/home/x\\y/client-key.pem",
  };
  expect(connectionSnippet("tls://203.0.113.7:8786", files)).toBe(
    [
      "from distributed import Client, Security",
      "security = Security(",
      '    tls_ca_file="/home/a b/ca.pem",',
      `    tls_client_cert="/home/it's \\"me\\"/client.pem",`,
      '    tls_client_key="/home/x\\\\y/client-key.pem",',
      "    require_encryption=True,",
      ")",
      'client = Client("tls://203.0.113.7:8786", security=security)',
      "client.get_versions(check=True)",
    ].join("\n"),
  );
  expect(connectionSnippet("tcp://203.0.113.7:8786")).toBe(
    'from distributed import Client\nclient = Client("tcp://203.0.113.7:8786")\nclient.get_versions(check=True)',
  );
});
