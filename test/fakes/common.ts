// Plumbing shared by the fake clouds: call log, fault matching, latency, and an HTTP(S) server on loopback only.
import { createServer as createHttp, type IncomingMessage, type ServerResponse, type Server } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import type { Fault, FakeCall } from "./harness.js";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class FaultBox {
  private faults: Fault[] = [];
  inject(f: Fault) {
    this.faults.push({ ...f });
  }
  clear() {
    this.faults = [];
  }
  /** The first matching fault, consumed once (its `times` counts down); undefined when none applies. */
  take(kind: Fault["kind"], action: string, where: { instanceType?: string; zone?: string } = {}): Fault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        f.kind === kind &&
        (!f.action || f.action === action) &&
        (!f.instanceType || f.instanceType === where.instanceType) &&
        (!f.zone || f.zone === where.zone),
    );
    if (i < 0) return undefined;
    const f = this.faults[i];
    if (f.times !== undefined && --f.times <= 0) this.faults.splice(i, 1);
    return f;
  }
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => Promise<void> | void;

/** Listens on 127.0.0.1 only: tests never touch another address. */
export async function listen(
  handler: Handler,
  opts: { port?: number; tls?: { key: string; cert: string } } = {},
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    readBody(req)
      .then((body) => handler(req, res, body))
      .catch((err) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(err?.stack ?? err));
      });
  };
  const server = opts.tls ? createHttps(opts.tls, onRequest) : createHttp(onRequest);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `${opts.tls ? "https" : "http"}://127.0.0.1:${port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  return { server, url, close };
}

export function logCall(calls: FakeCall[], action: string, mutating: boolean, status: number, throttled = false) {
  calls.push({ action, mutating, status, throttled, at: Date.now() });
}

/** Hands out addresses in a documentation/test range; "recycles" nothing so a restarted VM visibly gets a new IP. */
export class IpPool {
  private n = 0;
  constructor(private readonly prefix: string) {}
  next(): string {
    this.n++;
    return `${this.prefix}.${Math.floor(this.n / 250) % 250}.${(this.n % 250) + 1}`;
  }
}
