// What a node runs, derived from the plan: ports, addresses, worker processes/threads/memory, lifetime.
import { PlanError } from "../errors.js";

export const DASK_SCHEDULER_PORT = 8786;
export const DASK_DASHBOARD_PORT = 8787;
/** The spec's default (src/spec/schema.ts), for the bootstrap scripts' own tests. */
export { DEFAULT_DASK_VERSION } from "../spec/schema.js";

const GIB = 2 ** 30;

/** An IPv4/IPv6 address or a DNS name: the only characters a scheduler host may contain. */
const HOST = /^(?:[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+)$/;

export function schedulerAddress(host: string, tls: boolean): string {
  if (!HOST.test(host)) throw new PlanError(`invalid scheduler address ${JSON.stringify(host)}`);
  const bracketed = host.includes(":") ? `[${host}]` : host;
  return `${tls ? "tls" : "tcp"}://${bracketed}:${DASK_SCHEDULER_PORT}`;
}

export interface WorkerLayout {
  nworkers: number;
  nthreads: number;
  /** Bytes per worker process. */
  memoryLimit: number;
}

/**
 * Dask's own rule (distributed.deploy.utils.nprocesses_nthreads): up to 4 cores one process per core, above that
 * the smallest factor of the core count at or above its square root. It is computed here from the plan's vCPUs so
 * the rendered unit says what will run. Memory keeps back 10% (0.5 to 4 GiB) for the OS and the nannies.
 */
export function workerLayout(vcpus: number, memoryGib: number): WorkerLayout {
  const cores = Math.max(1, Math.floor(vcpus));
  let nworkers = cores;
  if (cores > 4) {
    for (let f = Math.ceil(Math.sqrt(cores)); f <= cores; f++) {
      if (cores % f === 0) {
        nworkers = f;
        break;
      }
    }
  }
  const reserveGib = Math.min(4, Math.max(0.5, memoryGib * 0.1));
  const usableGib = Math.max(memoryGib - reserveGib, memoryGib * 0.5);
  return { nworkers, nthreads: cores / nworkers, memoryLimit: Math.floor((usableGib * GIB) / nworkers) };
}
