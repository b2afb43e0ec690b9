// Asking a Dask scheduler how it is, over the HTTP routes its dashboard server serves by default (distributed's
// distributed.yaml `scheduler.http.routes`): /health answers "ok" (distributed/http/health.py) and
// /json/identity.json the scheduler's identity with the registered workers' names and hosts, and /json/counts.json
// counts, among them `workers` and `hosts` (distributed/http/scheduler/json.py). Plain HTTP: TLS covers Dask's comms, not the dashboard.
import { get } from "node:http";

export type ProbeFailure =
  /** Nothing listens there yet (the VM is up, Dask is not): keep waiting. */
  | "refused"
  /** No route to the address from this machine: waiting will not help. */
  | "unroutable"
  /** No answer at all: a firewall dropping us (this machine is not in allowed_cidrs) or a VM still booting. */
  | "timeout"
  /** It answered, but not as a Dask scheduler does. */
  | "bad-answer";

export class ProbeError extends Error {
  constructor(
    readonly failure: ProbeFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface DaskWorker {
  name: string;
  host: string;
}

const UNROUTABLE = new Set(["ENETUNREACH", "EHOSTUNREACH", "EADDRNOTAVAIL", "ENOTFOUND"]);

function fetchText(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: timeoutMs, headers: { accept: "application/json, text/plain" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        if (res.statusCode === 200) resolve(body);
        else reject(new ProbeError("bad-answer", `${url} answered HTTP ${res.statusCode}`));
      });
      res.on("error", (err) => reject(new ProbeError("bad-answer", `${url}: ${err.message}`)));
    });
    req.on("timeout", () =>
      req.destroy(new ProbeError("timeout", `no answer from ${url} within ${timeoutMs / 1000} s`)),
    );
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (err instanceof ProbeError) return reject(err);
      const failure: ProbeFailure =
        err.code === "ECONNREFUSED" ? "refused" : UNROUTABLE.has(err.code ?? "") ? "unroutable" : "bad-answer";
      reject(new ProbeError(failure, `${url}: ${err.code ?? err.message}`));
    });
  });
}

/** Resolves when the scheduler's /health says ok; rejects with a ProbeError saying why not. */
export async function schedulerHealthy(dashboardUrl: string, timeoutMs: number): Promise<void> {
  const url = new URL("/health", dashboardUrl).toString();
  const body = await fetchText(url, timeoutMs);
  if (body.trim() !== "ok")
    throw new ProbeError("bad-answer", `${url} answered ${JSON.stringify(body.slice(0, 80))}, not "ok"`);
}

/** The worker processes registered with the scheduler. */
export async function registeredWorkers(dashboardUrl: string, timeoutMs: number): Promise<DaskWorker[]> {
  const url = new URL("/json/identity.json", dashboardUrl).toString();
  const body = await fetchText(url, timeoutMs);
  let identity: { type?: string; workers?: Record<string, { name?: unknown; host?: unknown }> };
  try {
    identity = JSON.parse(body);
  } catch {
    throw new ProbeError("bad-answer", `${url} did not answer JSON`);
  }
  if (identity.type !== "Scheduler" || typeof identity.workers !== "object")
    throw new ProbeError("bad-answer", `${url} is not a Dask scheduler's identity`);
  return Object.entries(identity.workers ?? {}).map(([address, w]) => ({
    name: String(w.name ?? address),
    host: String(w.host ?? new URL(address.replace(/^\w+:/, "http:")).hostname),
  }));
}

/** The scheduler's counts: worker processes, and distinct hosts they run on (one per node on a cloud). */
export async function workerCounts(
  dashboardUrl: string,
  timeoutMs: number,
): Promise<{ workers: number; hosts: number }> {
  const url = new URL("/json/counts.json", dashboardUrl).toString();
  let counts: { workers?: unknown; hosts?: unknown };
  try {
    counts = JSON.parse(await fetchText(url, timeoutMs));
  } catch (err) {
    if (err instanceof ProbeError) throw err;
    throw new ProbeError("bad-answer", `${url} did not answer JSON`);
  }
  if (typeof counts.workers !== "number" || typeof counts.hosts !== "number") {
    throw new ProbeError("bad-answer", `${url} has no worker counts`);
  }
  return { workers: counts.workers, hosts: counts.hosts };
}
