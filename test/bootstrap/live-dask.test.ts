// The rendered start-up, run for real: the scripts are taken from the rendered user data (what ships), written
// under a temp root instead of /, and run with Debian's Dask (/usr/bin/python3) inside a loopback-only namespace.
// The scheduler starts, the worker registers over TLS, the generated client certificate computes, and a client
// without it is refused. Only the systemd/root part (bootstrap.sh) is not run here; it is linted elsewhere.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectionSnippet, renderUserData } from "../../src/bootstrap/index.js";
import { ensureClusterTls, nodeTlsFor, type ClusterTls } from "../../src/bootstrap/tls.js";
import { Namespace, type Started } from "./netns.js";
import { describeWithTools, materialize, parseWithPyYaml, PYTHON, SYSTEM_PATH, TOOLS } from "./tools.js";
import { relocateVenv } from "./node-root.js";
import type { ClusterSpec } from "../../src/spec/schema.js";
import { resolved } from "../support/spec.js";

/** Debian's python3 and dask first; HOME and TMPDIR (Dask's scratch space) inside the test's own directory. */
function runEnv(work: string): NodeJS.ProcessEnv {
  return { PATH: SYSTEM_PATH, HOME: work, TMPDIR: work };
}
const LIVE_TOOLS = [TOOLS.distributed, TOOLS.pyyaml, TOOLS.netns];

function installedDaskRelease(): string {
  return execFileSync(PYTHON, ["-c", "import distributed; print(distributed.__version__.split('+')[0])"], {
    env: { PATH: SYSTEM_PATH },
  })
    .toString()
    .trim();
}

function renderNode(
  work: string,
  tls: ClusterTls | undefined,
  role: "scheduler" | "worker",
  spec: Partial<ClusterSpec>,
): string {
  const root = join(work, role);
  const userData = renderUserData({
    provider: "aws",
    cluster: "live",
    role,
    nodeName: `live-${role}`,
    vcpus: role === "worker" ? 2 : 1,
    memoryGib: 2,
    schedulerHost: role === "worker" ? "127.0.0.1" : undefined,
    spec: resolved(spec),
    tls: tls ? nodeTlsFor(tls, role) : undefined,
  });
  materialize(parseWithPyYaml(userData), root);
  relocateVenv(root);
  return root;
}

function startNode(ns: Namespace, work: string, root: string): Started {
  return ns.start([join(root, "opt/cloudlaunch/start-dask.sh"), join(root, "etc/cloudlaunch")], runEnv(work));
}

/** Runs Python in the namespace; the script prints one JSON line. */
async function python(ns: Namespace, work: string, script: string): Promise<Record<string, unknown>> {
  const run = await ns.run([PYTHON, "-c", script], runEnv(work), 60_000);
  const line = run.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`python exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
  }
}

const COMPUTE = `
import json
client.wait_for_workers(2, timeout=60)
info = client.scheduler_info()
answer = client.submit(lambda x: x * 7, 6).result()
total = sum(client.gather(client.map(lambda x: x * x, range(10))))
print(json.dumps({"answer": answer, "total": total, "scheduler": info["address"], "workers": sorted(info["workers"])}))
client.close()
`;

describeWithTools("rendered Dask start-up on real Dask, TLS on", LIVE_TOOLS, () => {
  const work = mkdtempSync(join(tmpdir(), "cloudlaunch-live-"));
  const env = { CLOUDLAUNCH_HOME: join(work, "home") };
  let tls: ClusterTls;
  let ns: Namespace;
  let scheduler: Started;
  let worker: Started;
  let roots: { scheduler: string; worker: string };
  const marker = join(work, "setup-ran");

  beforeAll(async () => {
    tls = await ensureClusterTls("live", env);
    const spec = {
      security: true,
      max_lifetime: "1h",
      dask: { version: installedDaskRelease(), setup_commands: [`printf '%s\\n' "it's \\"set up\\"" >> '${marker}'`] },
    };
    roots = { scheduler: renderNode(work, tls, "scheduler", spec), worker: renderNode(work, tls, "worker", spec) };
    ns = await Namespace.create();
  }, 30_000);

  afterAll(() => {
    ns?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  test("setup finds the pinned Dask already installed, makes a venv over it and runs the setup commands", () => {
    const out = execFileSync(
      join(roots.scheduler, "opt/cloudlaunch/setup-dask.sh"),
      [join(roots.scheduler, "etc/cloudlaunch")],
      {
        env: runEnv(work),
        timeout: 60_000,
      },
    ).toString();
    expect(out).toContain(`cloudlaunch: creating the venv on the image's dask ${installedDaskRelease()}`);
    expect(readFileSync(marker, "utf8")).toBe(`it's "set up"\n`);
  });

  test("the scheduler starts over TLS and the worker registers with it", async () => {
    scheduler = startNode(ns, work, roots.scheduler);
    await scheduler.waitFor(/Scheduler at:\s+tls:\/\//, 30_000);
    worker = startNode(ns, work, roots.worker);
    await scheduler.waitFor(/Register worker.*tls:\/\//, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}\n--- worker output:\n${worker.output()}`);
    });
  }, 90_000);

  test("a client with the generated certificate, using the printed snippet, gets the right answers", async () => {
    const snippet = connectionSnippet("tls://127.0.0.1:8786", {
      caPath: tls.caPath,
      certPath: tls.client.certPath,
      keyPath: tls.client.keyPath,
    });
    const result = await python(ns, work, snippet + COMPUTE);
    expect(result.answer).toBe(42);
    expect(result.total).toBe(285);
    expect(result.scheduler).toMatch(/^tls:\/\//);
    expect(result.workers).toHaveLength(2);
    for (const address of result.workers as string[]) expect(address).toMatch(/^tls:\/\/127\.0\.0\.1:/);
  }, 90_000);

  test("the scheduler's TLS handshake accepts the generated client certificate and refuses none or another CA's", async () => {
    const stranger = await ensureClusterTls("stranger", env);
    const result = await python(
      ns,
      work,
      `
import json, socket, ssl
def attempt(cert, key):
    ctx = ssl.create_default_context(cafile=${JSON.stringify(tls.caPath)})
    ctx.check_hostname = False
    if cert:
        ctx.load_cert_chain(cert, key)
    try:
        with ctx.wrap_socket(socket.create_connection(("127.0.0.1", 8786), timeout=10)) as s:
            s.settimeout(2)
            try:
                # TLS 1.3 checks the client certificate after the client's handshake ends: a refusal arrives as an alert.
                return "accepted" if s.recv(1) else "closed"
            except TimeoutError:
                return "accepted"
    except (ssl.SSLError, ConnectionError) as e:
        return "refused: " + str(e)
print(json.dumps({
    "generated": attempt(${JSON.stringify(tls.client.certPath)}, ${JSON.stringify(tls.client.keyPath)}),
    "none": attempt(None, None),
    "stranger": attempt(${JSON.stringify(stranger.client.certPath)}, ${JSON.stringify(stranger.client.keyPath)}),
}))
`,
    );
    expect(result.generated).toBe("accepted");
    expect(result.none).toMatch(/^refused: .*certificate required/i);
    expect(result.stranger).toMatch(/^refused: .*unknown ca/i);
    expect(worker.proc.exitCode).toBeNull();
  }, 60_000);
});

describeWithTools("rendered Dask start-up on real Dask, security: false", LIVE_TOOLS, () => {
  const work = mkdtempSync(join(tmpdir(), "cloudlaunch-live-tcp-"));
  let ns: Namespace;

  afterAll(() => {
    ns?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  test("the scheduler and worker run over plain TCP and a plain client computes", async () => {
    const spec = { security: false, dask: { version: installedDaskRelease() } };
    const roots = {
      scheduler: renderNode(work, undefined, "scheduler", spec),
      worker: renderNode(work, undefined, "worker", spec),
    };
    ns = await Namespace.create();
    const scheduler = startNode(ns, work, roots.scheduler);
    await scheduler.waitFor(/Scheduler at:\s+tcp:\/\//, 30_000);
    startNode(ns, work, roots.worker);
    const result = await python(ns, work, connectionSnippet("tcp://127.0.0.1:8786") + COMPUTE);
    expect(result).toMatchObject({ answer: 42, total: 285 });
    expect(result.workers).toHaveLength(2);
  }, 120_000);
});
