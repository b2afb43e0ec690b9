// The wait for Dask against a real scheduler (Debian's python3-distributed) on loopback, random ports: it returns
// once every expected node has a registered worker, times out naming the node that never joined, and keeps waiting
// (rather than giving up) while nothing listens yet.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:http";
import { connectedNodes, joinedNodes } from "../../src/apply/joined-nodes";
import { waitForDask } from "../../src/apply/wait-dask";
import type { NodeInfo } from "../../src/providers/provider";
import { describeWithTools, PYTHON, SYSTEM_PATH, TOOLS } from "./tools";

const node = (name: string, privateIp = "127.0.0.1"): NodeInfo => ({
  name,
  cluster: "w",
  role: "worker",
  id: name,
  state: "running",
  instanceType: "t",
  spot: false,
  privateIp,
});

function startDask(args: string[], work: string): { proc: ChildProcess; output: () => string } {
  let text = "";
  const proc = spawn(PYTHON, ["-m", "dask", ...args], {
    env: { PATH: SYSTEM_PATH, HOME: work, TMPDIR: work },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (d) => (text += d));
  proc.stderr!.on("data", (d) => (text += d));
  return { proc, output: () => text };
}

async function until<T>(probe: () => T | undefined, what: () => string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeWithTools("waiting for a real Dask scheduler on loopback", [TOOLS.distributed], () => {
  const work = mkdtempSync(join(tmpdir(), "cloudlaunch-wait-"));
  const procs: ChildProcess[] = [];
  let dashboardUrl = "";
  let schedulerAddress = "";

  beforeAll(async () => {
    const scheduler = startDask(
      ["scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", "127.0.0.1:0"],
      work,
    );
    procs.push(scheduler.proc);
    const text = await until(
      () => (/dashboard at:\s+\S*:(\d+)/.test(scheduler.output()) ? scheduler.output() : undefined),
      scheduler.output,
    );
    dashboardUrl = `http://127.0.0.1:${/dashboard at:\s+\S*:(\d+)/.exec(text)![1]}`;
    schedulerAddress = /Scheduler at:\s+(\S+)/.exec(text)![1];
  }, 60_000);

  afterAll(() => {
    for (const p of procs) p.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
  });

  test("returns when every node's worker has registered, after reporting progress", async () => {
    const progress: string[] = [];
    const waiting = waitForDask({
      dashboardUrl,
      workers: [node("w-worker-001"), node("w-worker-002")],
      timeoutMs: 90_000,
      pollMs: 200,
      onProgress: (p) => progress.push(`${p.schedulerUp ? "up" : "down"} ${p.connected}/${p.expected}`),
    });
    // Two processes on one node register as w-worker-001-0 and w-worker-001-1; one is enough for the node.
    for (const [name, n] of [
      ["w-worker-001", "2"],
      ["w-worker-002", "1"],
    ]) {
      const args = [
        "worker",
        schedulerAddress,
        "--name",
        name,
        "--nworkers",
        n,
        "--nthreads",
        "1",
        "--host",
        "127.0.0.1",
        "--no-dashboard",
      ];
      procs.push(startDask(args, work).proc);
    }
    const result = await waiting;
    expect(result.outcome).toBe("ready");
    expect(result.connected.map((c) => c.name)).toEqual(["w-worker-001", "w-worker-002"]);
    expect(progress[0]).toBe("up 0/2");
    expect(progress.at(-1)).toBe("up 2/2");
  }, 120_000);

  test("times out naming the node that never joined", async () => {
    const result = await waitForDask({
      dashboardUrl,
      workers: [node("w-worker-001"), node("w-worker-003")],
      timeoutMs: 1500,
      pollMs: 200,
    });
    expect(result.outcome).toBe("timeout");
    expect(result.schedulerUp).toBe(true);
    expect(result.missing.map((m) => m.name)).toEqual(["w-worker-003"]);
  }, 30_000);

  test("a refused connection (Dask not started yet) is waited out, not taken for an unreachable dashboard", async () => {
    const closed = new URL(dashboardUrl);
    closed.port = String(Number(closed.port) === 1 ? 2 : 1);
    const result = await waitForDask({
      dashboardUrl: closed.toString(),
      workers: [node("w-worker-001")],
      timeoutMs: 1000,
      pollMs: 200,
      unreachableAfterMs: 0,
    });
    expect(result.outcome).toBe("timeout");
    expect(result.schedulerUp).toBe(false);
    expect(result.reason).toMatch(/ECONNREFUSED/);
  }, 30_000);
});

describe("which nodes a registered worker belongs to", () => {
  test("by name, by name-<i>, and by private IP only when one node has it", () => {
    const nodes = [
      node("d-worker-1", "10.0.0.5"),
      node("d-worker-10", "10.0.0.6"),
      node("d-worker-2", "10.0.0.7"),
      node("d-worker-3", "10.0.0.7"),
    ];
    const connected = connectedNodes(nodes, [
      { name: "d-worker-10-1", host: "10.0.0.6" },
      { name: "ip-10-0-0-5", host: "10.0.0.5" },
      { name: "ip-10-0-0-7", host: "10.0.0.7" },
    ]);
    expect([...connected].sort()).toEqual(["d-worker-1", "d-worker-10"]);
  });
});

test("a scheduler whose identity lists only some workers: distinct worker hosts count the joined nodes", async () => {
  // As a distributed release that caps the identity's worker list answers: 3 hosts in counts, 1 worker listed.
  const server = createServer((req, res) => {
    const body: Record<string, unknown> = {
      "/json/identity.json": {
        type: "Scheduler",
        workers: { "tcp://10.0.0.5:40001": { name: "d-worker-1", host: "10.0.0.5" } },
      },
      "/json/counts.json": { workers: 6, hosts: 3 },
    };
    res.end(JSON.stringify(body[req.url ?? ""] ?? {}));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const nodes = [node("d-worker-1", "10.0.0.5"), node("d-worker-2", "10.0.0.6"), node("d-worker-3", "10.0.0.7")];
    const joined = await joinedNodes(url, nodes, 2000);
    expect(joined.count).toBe(3);
    expect([...joined.names]).toEqual(["d-worker-1"]);
  } finally {
    server.close();
  }
});
