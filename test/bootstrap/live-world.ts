// A fake EC2 whose VMs are played by real Dask in a loopback-only namespace, and the built CLI run inside that
// namespace. The CLI reaches the fake (listening on the host's loopback) through a Unix socket: file system paths
// are shared across network namespaces, ports are not.
//
// A played VM runs its rendered start-up as its Dask service would (restarted after it exits, like the unit's
// Restart=always) and reads its instance metadata from the fake (CLOUDLAUNCH_IMDS). A VM that terminates takes its
// processes with it. With PER_VM addresses each VM has its own loopback address and a terminated VM's address is
// taken off the interface: Linux treats all of 127.0.0.0/8 as local, so otherwise a gone scheduler's address would
// still reach its successor (the scheduler listens on every address) and a worker would never need to move.
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

/** `startLiveWorld(PER_VM)`: every VM its own loopback address (127.0.1.1, 127.0.1.2, …; fake world.ts). */
export const PER_VM = "per-vm";
/** Loopback addresses put on the namespace's interface up front, so a VM's is there before anyone dials it. */
const PER_VM_ADDRESSES = 32;
/** How soon a played VM's Dask service starts again after it exited (the unit says RestartSec=5). */
const RESTART_MS = 1000;

export interface PlayedVm {
  id: string;
  /** How many times its Dask service was started. */
  starts: number;
  /** Everything its processes printed so far. */
  output(): string;
}

export interface LiveWorld {
  ns: Namespace;
  fake: FakeEc2;
  /** The latest VM of that name this world played. */
  vm(name: string): PlayedVm | undefined;
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  spec(cluster: string, workers: number, dask?: Record<string, unknown>): string;
  cli(args: string[], env?: Record<string, string>): Promise<CliResult>;
  close(): Promise<void>;
}

/**
 * `address`: every VM's address, or PER_VM. `failing`: the node whose bootstrap is made to fail (its Dask pin cannot
 * be installed without a network); `silent`: a node that never gets as far as Dask and says nothing more (a hung
 * boot); `vmEnv`: extra environment of the played VMs' services (e.g. a shorter CLOUDLAUNCH_SCHEDULER_WAIT_S).
 */
export async function startLiveWorld(
  address: string,
  o: { failing?: string; silent?: string; playVms?: boolean; vmEnv?: Record<string, string> } = {},
): Promise<LiveWorld> {
  const work = mkdtempSync(join(tmpdir(), "cloudlaunch-live-up-"));
  const home = join(work, "home");
  mkdirSync(home);
  const ns = await Namespace.create();
  const perVm = address === PER_VM;
  const fake = await startFakeEc2({
    ...(perVm ? { loopbackAddresses: true } : { fixedAddress: address }),
    transitionMs: 30,
    rateLimits: false,
  });
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
  if (perVm) {
    const own = `for i in $(seq 1 ${PER_VM_ADDRESSES}); do ip addr add 127.0.1.$i/32 dev lo; done`;
    const set = await ns.run(
      ["bash", "-c", `ip addr del 127.0.0.1/8 dev lo && ip addr add 127.0.0.1/32 dev lo && ${own}`],
      env(),
      10_000,
    );
    if (set.status !== 0) throw new Error(`setting the loopback addresses failed: ${set.stderr}`);
  }
  const forwarder = ns.start([process.execPath, "-e", forward], env());
  await forwarder.waitFor(/ready/, 10_000);

  interface Vm extends PlayedVm {
    name: string;
    address: string;
    processes: Started[];
    gone: boolean;
  }
  const vms = new Map<string, Vm>();
  let closed = false;
  const restarts = new Set<NodeJS.Timeout>();
  const playing =
    o.playVms === false
      ? undefined
      : setInterval(() => {
          for (const inst of fake.world.instances.values()) {
            const state = fake.world.stateOf(inst, Date.now());
            const vm = vms.get(inst.id);
            if (vm && !vm.gone && (state === "shutting-down" || state === "terminated")) void powerOff(vm);
            const name = inst.tags.Name;
            if (vm || !name || state !== "running" || !inst.userData) continue;
            const processes: Started[] = [];
            const output = () => processes.map((p) => p.output()).join("");
            const played: Vm = {
              id: inst.id,
              name,
              address: inst.privateIp,
              processes,
              gone: false,
              starts: 0,
              output,
            };
            vms.set(inst.id, played);
            boot(played, Buffer.from(inst.userData, "base64").toString("utf8"));
          }
        }, 100);

  /** The VM is gone: its processes die at once, and its address leaves the interface (PER_VM). */
  async function powerOff(vm: Vm): Promise<void> {
    vm.gone = true;
    for (const p of vm.processes) {
      try {
        if (p.proc.pid) process.kill(-p.proc.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    // Once they are dead, so their peers saw their connections close, as when a VM shuts down.
    await Promise.all(
      vm.processes.map((p) =>
        p.proc.exitCode !== null || p.proc.signalCode !== null
          ? undefined
          : new Promise((resolve) => p.proc.once("exit", resolve)),
      ),
    );
    if (perVm && !closed) await ns.run(["ip", "addr", "del", `${vm.address}/32`, "dev", "lo"], env(), 10_000);
  }

  /** Runs the node's Dask service like systemd would: started again RESTART_MS after it exits, until the VM is gone. */
  function service(vm: Vm, command: string[], serviceEnv: NodeJS.ProcessEnv): void {
    const started = ns.start(command, serviceEnv);
    vm.processes.push(started);
    vm.starts++;
    started.proc.on("exit", () => {
      if (vm.gone || closed) return;
      const restart = setTimeout(() => {
        restarts.delete(restart);
        if (!vm.gone && !closed) service(vm, command, serviceEnv);
      }, RESTART_MS);
      restarts.add(restart);
    });
  }

  function boot(vm: Vm, userData: string): void {
    const { name } = vm;
    if (name === o.silent) return;
    const root = join(work, "vms", vm.id);
    materialize(parseWithPyYaml(userData), root);
    relocateVenv(root);
    // What the hostname gives a worker on GCP and Azure (the user data of all workers is the same).
    setSetting(root, "CLOUDLAUNCH_NODE", name);
    const conf = join(root, "etc/cloudlaunch");
    if (name !== o.failing) {
      const vmEnv = env({ CLOUDLAUNCH_IMDS: fake.imdsUrl(vm.id), ...o.vmEnv });
      service(vm, [join(root, "opt/cloudlaunch/start-dask.sh"), conf], vmEnv);
      return;
    }
    setSetting(root, "DASK_VERSION", "2099.1.0");
    const setup = ns.start(
      [join(root, "opt/cloudlaunch/setup-dask.sh"), conf],
      env({ PIP_NO_INDEX: "1", CLOUDLAUNCH_RETRIES: "2", CLOUDLAUNCH_RETRY_DELAY_S: "0" }),
    );
    setup.proc.on("exit", () =>
      fake.setConsoleOutput(name, `[    0.000000] Linux version 6.8.0-1015-cloud\n${setup.output()}`),
    );
    vm.processes.push(setup);
  }

  return {
    ns,
    fake,
    vm: (name) => [...vms.values()].filter((v) => v.name === name).at(-1),
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
      closed = true;
      if (playing) clearInterval(playing);
      for (const t of restarts) clearTimeout(t);
      ns.destroy();
      bridge.close();
      await fake.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
