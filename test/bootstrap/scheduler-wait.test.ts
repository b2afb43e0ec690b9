// A worker waits for its scheduler at each service start, but not forever: a scheduler that `up` replaced meanwhile
// has a new address, which the worker only reads again when systemd restarts the service (templates/lib.sh).
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { ROOT } from "../support/cli.js";

const LIB = join(ROOT, "templates", "lib.sh");

function waitFor(address: string, waitS: number) {
  const script = `source '${LIB}'; wait_for_scheduler '${address}'`;
  const env = {
    PATH: process.env.PATH,
    CLOUDLAUNCH_SCHEDULER_WAIT_S: String(waitS),
    CLOUDLAUNCH_SCHEDULER_POLL_S: "1",
  };
  return spawnSync("bash", ["-c", script], { env, encoding: "utf8", timeout: 30_000 });
}

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port };
}

test("a scheduler that answers: the wait returns at once", async () => {
  const { server, port } = await listening();
  try {
    const r = waitFor(`tls://127.0.0.1:${port}`, 5);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain("waiting for the scheduler");
  } finally {
    server.close();
  }
});

test("no scheduler at the address: the wait gives up after its bound and fails, so systemd restarts the unit", async () => {
  const { server, port } = await listening();
  await new Promise((resolve) => server.close(resolve)); // the port is now closed
  const r = waitFor(`tls://127.0.0.1:${port}`, 2);
  expect(r.status).toBe(1);
  expect(r.stdout).toContain(`cloudlaunch: waiting for the scheduler at 127.0.0.1:${port}`);
  expect(r.stdout).toContain("exiting so the service restarts with the current address");
});
