// `logs` and `ssh`, end to end through the built CLI against each cloud's fake: the console log comes through the
// cloud's own API (EC2 GetConsoleOutput, GCP getSerialPortOutput, Azure boot diagnostics + the log blob), and ssh is
// checked by the exact command it would run (--print), never run.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProviderName } from "../../src/spec/schema";
import { startWorld, type World } from "./world";

const PROVIDERS = (process.env.CONFORMANCE_PROVIDERS ?? "aws,gcp,azure").split(",").filter(Boolean) as ProviderName[];

const FAILED_BOOT = [
  "[    0.000000] Linux version 6.8.0-1015-cloud",
  "cloudlaunch: waiting for the dpkg lock",
  "cloudlaunch: installing dask 2025.5.1",
  "cloudlaunch: bootstrap failed at installing dask 2025.5.1: pip exited 1 after 5 attempts",
  "",
].join("\n");

describe.each(PROVIDERS)("%s", (provider) => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld(provider);
    // The spec's key (and on AWS its key pair): `up` records them for `ssh`.
    const ssh = {
      ...(w.fake.spec.extra.ssh as object),
      public_key_file: join(w.home, ".ssh", "id_ed25519.pub"),
      user: "ubuntu",
    };
    const up = await w.run(["up", w.spec("logs", 2, { ssh })]);
    if (up.code !== 0) throw new Error(`up failed:\n${up.stderr}`);
  }, 60_000);
  afterAll(() => w?.close());

  it("logs NODE prints the node's console output as the cloud serves it", async () => {
    w.fake.setConsoleOutput("logs-worker-002", FAILED_BOOT);
    const r = await w.run(["logs", "logs", "worker-002"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(FAILED_BOOT);
  });

  it("--tail N keeps the last N lines", async () => {
    const r = await w.run(["logs", "logs", "logs-worker-002", "--tail", "2"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${FAILED_BOOT.split("\n").slice(-3).join("\n")}`);
  });

  it("without a node, every node's last lines under a header; --json has them per node", async () => {
    const r = await w.run(["logs", "logs"]);
    expect(r.code).toBe(0);
    for (const name of ["logs-scheduler", "logs-worker-001", "logs-worker-002"])
      expect(r.stdout).toContain(`==> ${name} (`);
    expect(r.stdout).toMatch(/logs-scheduler login:/);
    const json = JSON.parse((await w.run(["logs", "logs", "--json"])).stdout);
    const failed = json.logs.find((l: { node: { name: string } }) => l.node.name === "logs-worker-002");
    expect(failed.lines.at(-1)).toMatch(/^cloudlaunch: bootstrap failed at installing dask/);
  });

  it("an unknown node is a usage error naming the nodes there are", async () => {
    const r = await w.run(["logs", "logs", "worker-009"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/logs has no node worker-009 \(nodes: scheduler, worker-001, worker-002\)/);
  });

  it("ssh --print: the spec's user, the private key beside ssh.public_key_file, the node's public IP, the command", async () => {
    const privateKey = join(w.home, ".ssh", "id_ed25519");
    writeFileSync(privateKey, "not a real key\n", { mode: 0o600 });
    const worker = w.live("logs").find((v) => v.name === "logs-worker-001")!;
    const r = await w.run([
      "ssh",
      "logs",
      "worker-001",
      "--print",
      "--",
      "tail",
      "-n",
      "5",
      "/var/log/cloud-init-output.log",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const knownHosts = join(w.home, ".cloudlaunch", "clusters", "logs", "known_hosts");
    expect(r.stdout.trim()).toBe(
      `ssh -i ${privateKey} -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=${knownHosts} ` +
        `-- ubuntu@${worker.publicIp} tail -n 5 /var/log/cloud-init-output.log`,
    );
  });

  it("ssh defaults to the scheduler; without the private key file the agent chooses (no -i); --json gives the argv", async () => {
    const spec = w.spec("logs", 2, {
      ssh: { public_key_file: join(w.home, "elsewhere", "key.pub"), user: "dask-admin" },
    });
    const scheduler = w.live("logs").find((v) => v.name === "logs-scheduler")!;
    const r = await w.run(["ssh", "logs", "--print", "--json", "--spec", spec]);
    expect(r.code).toBe(0);
    const { argv } = JSON.parse(r.stdout);
    expect(argv).not.toContain("-i");
    expect(argv.slice(-2)).toEqual(["--", `dask-admin@${scheduler.publicIp}`]);
  });
});
