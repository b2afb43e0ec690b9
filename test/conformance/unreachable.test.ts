// A cloud that cannot be reached: every cloud fails with "cannot reach <endpoint>" and exit 1 — quickly (each SDK
// retries a failed connection once, not with minutes of backoff; timing is measured in no assertion here) — and no
// command ever exits 0 without having done what it was asked.
import { createServer, type Server, type Socket } from "node:net";
import type { ProviderName } from "../../src/spec/schema";
import { startWorld, type World } from "./world";

const PROVIDERS = (process.env.CONFORMANCE_PROVIDERS ?? "aws,gcp,azure").split(",").filter(Boolean) as ProviderName[];
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

/** The environment variable that points each driver at an endpoint, and the endpoint's scheme there. */
const ENDPOINT: Record<ProviderName, [string, string]> = {
  aws: ["AWS_ENDPOINT_URL_EC2", "http"],
  gcp: ["CLOUDLAUNCH_GCP_ENDPOINT", "https"],
  azure: ["CLOUDLAUNCH_AZURE_ENDPOINT", "https"],
};

const LAUNCH_ACTIONS: Record<ProviderName, string[]> = {
  aws: ["RunInstances"],
  gcp: ["compute.instances.insert", "compute.instances.bulkInsert"],
  azure: ["virtualMachines.createOrUpdate"],
};

function listen(onConnection: (s: Socket) => void): Promise<Server> {
  const server = createServer(onConnection);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
const portOf = (s: Server) => (s.address() as { port: number }).port;

async function closedPort(): Promise<number> {
  const server = await listen(() => undefined);
  const port = portOf(server);
  await new Promise((r) => server.close(r));
  return port;
}

describe.each(PROVIDERS)("%s, unreachable", (provider) => {
  let w: World;
  let dropper: Server;
  let accepted = 0;
  beforeAll(async () => {
    w = await startWorld(provider);
    dropper = await listen((socket) => {
      accepted++;
      socket.destroy();
    });
  });
  afterAll(async () => {
    await new Promise((r) => dropper.close(r));
    await w?.close();
  });
  const at = (port: number) => {
    const [variable, scheme] = ENDPOINT[provider];
    return { url: `${scheme}://127.0.0.1:${port}`, env: { [variable]: `${scheme}://127.0.0.1:${port}` } };
  };

  it("a closed loopback port: status and up exit 1 with 'cannot reach <endpoint>' (in seconds, not minutes)", async () => {
    const { url, env } = at(await closedPort());
    const file = w.spec("nowhere", 1);
    for (const args of [
      ["status", "--spec", file],
      ["up", file],
      ["up", file, "--dryrun"],
    ]) {
      const r = await w.run(args, env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot reach ${url}`);
      noStack(r.stderr);
    }
  });

  it("a server that drops every connection: exit 1 with 'cannot reach', after one retry (in seconds)", async () => {
    const { url, env } = at(portOf(dropper));
    accepted = 0;
    const r = await w.run(["up", w.spec("dropped", 1)], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach ${url}`);
    // Each first call and its one retry, no backoff ladder of ten attempts (Azure's listing starts its reads in parallel).
    expect(accepted).toBeLessThanOrEqual(provider === "azure" ? 8 : 2);
  });

  it("the cloud dropping every launch call in the middle of up: never exit 0, always a message", async () => {
    expect((await w.run(["up", w.spec("midway", 1)])).code).toBe(0);
    // Reads answer; every launch call has its connection dropped.
    for (const action of LAUNCH_ACTIONS[provider]) w.fake.inject({ kind: "drop", action });
    try {
      const r = await w.run(["up", w.spec("midway", 3)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/cannot reach|stopped before finishing/);
    } finally {
      w.fake.clearFaults();
    }
  });
});
