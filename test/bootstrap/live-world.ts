// A fake EC2 whose VMs are played by real Dask in a loopback-only namespace, and the built CLI run inside that
// namespace. The CLI reaches the fake (listening on the host's loopback) through a Unix socket: file system paths
// are shared across network namespaces, ports are not.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { startFakeEc2, type FakeEc2 } from "../fakes/aws/index.js";
import { ROOT, type CliResult } from "../support/cli.js";
import { Namespace, type Started } from "./netns.js";
import { relocateVenv, setSetting } from "./node-root.js";
import { materialize, parseWithPyYaml, SYSTEM_PATH } from "./tools.js";

export interface LiveWorld {
  ns: Namespace;
  fake: FakeEc2;
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  spec(cluster: string, workers: number, dask?: Record<string, unknown>): string;
  cli(args: string[], env?: Record<string, string>): Promise<CliResult>;
  close(): Promise<void>;
}

/**
 * `failing`: the node whose bootstrap is made to fail (its Dask pin cannot be installed without a network);
 * `silent`: a node that never gets as far as Dask and says nothing more (a hung boot).
 */
export async function startLiveWorld(
  address: string,
  o: { failing?: string; silent?: string; playVms?: boolean } = {},
): Promise<LiveWorld> {
  const work = mkdtempSync(join(tmpdir(), "cloudlaunch-live-up-"));
  const home = join(work, "home");
  mkdirSync(home);
  const ns = await Namespace.create();
  const fake = await startFakeEc2({ fixedAddress: address, transitionMs: 30, rateLimits: false });
  const port = new URL(fake.url).port;
  const socket = join(work, "fake.sock");
  const bridge: Server = createServer((c) => {
    const upstream = createConnection(Number(port), "127.0.0.1");
    c.pipe(upstream).pipe(c);
    upstream.on("error", () => c.destroy());
    c.on("error", () => upstream.destroy());
  });
  await new Promise<void>((r) => bridge.listen(socket, r));
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: SYSTEM_PATH,
    HOME: home,
    TMPDIR: work,
    ...extra,
  });
  const forward = `require("net").createServer((c) => { const u = require("net").connect(${JSON.stringify(socket)});
    c.pipe(u).pipe(c); u.on("error", () => c.destroy()); c.on("error", () => u.destroy()); }).listen(${port}, "127.0.0.1", () => console.log("ready"));`;
  const processes: Started[] = [ns.start([process.execPath, "-e", forward], env())];
  await processes[0].waitFor(/ready/, 10_000);

  const booted = new Set<string>();
  const playing =
    o.playVms === false
      ? undefined
      : setInterval(() => {
          for (const inst of fake.world.instances.values()) {
            const name = inst.tags.Name;
            if (!name || booted.has(name) || fake.world.stateOf(inst, Date.now()) !== "running" || !inst.userData)
              continue;
            booted.add(name);
            processes.push(...boot(name, Buffer.from(inst.userData, "base64").toString("utf8")));
          }
        }, 100);

  function boot(name: string, userData: string): Started[] {
    if (name === o.silent) return [];
    const root = join(work, "vms", name);
    materialize(parseWithPyYaml(userData), root);
    relocateVenv(root);
    // What the hostname gives a worker on GCP and Azure (the user data of all workers is the same).
    setSetting(root, "CLOUDLAUNCH_NODE", name);
    const conf = join(root, "etc/cloudlaunch");
    if (name !== o.failing) return [ns.start([join(root, "opt/cloudlaunch/start-dask.sh"), conf], env())];
    setSetting(root, "DASK_VERSION", "2099.1.0");
    const setup = ns.start(
      [join(root, "opt/cloudlaunch/setup-dask.sh"), conf],
      env({ PIP_NO_INDEX: "1", CLOUDLAUNCH_RETRIES: "2", CLOUDLAUNCH_RETRY_DELAY_S: "0" }),
    );
    setup.proc.on("exit", () =>
      fake.setConsoleOutput(name, `[    0.000000] Linux version 6.8.0-1015-cloud\n${setup.output()}`),
    );
    return [setup];
  }

  return {
    ns,
    fake,
    env,
    spec(cluster, workers, dask) {
      const file = join(work, `${cluster}.yaml`);
      writeFileSync(
        file,
        stringify({
          name: cluster,
          provider: "aws",
          region: fake.spec.region,
          scheduler: { min_vcpus: 2, min_memory_gib: 4 },
          workers: { count: workers, min_vcpus: 2, min_memory_gib: 4 },
          network: { subnet: fake.spec.subnet, allowed_cidrs: ["127.0.0.1/32"] },
          ssh: { key_name: "cloudlaunch-fake" },
          ...(dask && { dask }),
        }),
      );
      return file;
    },
    async cli(args, extra = {}) {
      const cliEnv = env({
        ...fake.env,
        CLOUDLAUNCH_HOME: join(home, ".cloudlaunch"),
        NO_COLOR: "1",
        CLOUDLAUNCH_DASK_PROBE: "1",
        CLOUDLAUNCH_WAIT_POLL_MS: "500",
        CLOUDLAUNCH_WAIT_CONSOLE_CHECK_MS: "2000",
        ...extra,
      });
      const run = ns.start([process.execPath, join(ROOT, "bin", "cloudlaunch"), ...args], cliEnv);
      const code = await new Promise<number>((r) => run.proc.on("close", (c) => r(c ?? -1)));
      return { code, stdout: run.stdout(), stderr: run.stderr() };
    },
    async close() {
      if (playing) clearInterval(playing);
      ns.destroy();
      bridge.close();
      await fake.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
