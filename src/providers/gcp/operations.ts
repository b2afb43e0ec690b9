// Waiting for Compute operations. insert/start/stop/delete answer with an Operation at once; the outcome (including
// ZONE_RESOURCE_POOL_EXHAUSTED or QUOTA_EXCEEDED) is only known when it is DONE. operations.wait blocks server-side
// for up to two minutes and may return before DONE, hence the loop.
// https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations/wait
import type { protos } from "@google-cloud/compute";
import { CloudError } from "../../errors.js";
import type { GcpClients } from "./clients.js";
import { pollUntil } from "../../wait.js";
import { withRetry } from "./errors.js";

export type Operation = protos.google.cloud.compute.v1.IOperation;

/** The Operation inside what an insert/start/stop/delete call resolves to (the SDK wraps it as `latestResponse`). */
export function operationOf(result: unknown[]): Operation {
  return (result[0] as { latestResponse: Operation }).latestResponse;
}

export async function waitForOperation(
  clients: GcpClients,
  project: string,
  op: Operation,
  zone?: string,
): Promise<Operation> {
  if (op.status === "DONE") return op;
  const operation = String(op.name);
  const wait = () =>
    zone
      ? withRetry(`wait for operation ${operation}`, () => clients.zoneOperations.wait({ project, zone, operation }))
      : withRetry(`wait for operation ${operation}`, () => clients.globalOperations.wait({ project, operation }));
  // No sleep between rounds: each wait blocks server-side.
  return pollUntil(
    async () => {
      const [current] = await wait();
      return current.status === "DONE" ? current : undefined;
    },
    {
      intervalMs: 0,
      timeoutMs: clients.waitMs,
      onTimeout: () => {
        const target = String(op.targetLink ?? "")
          .split("/")
          .pop();
        throw new CloudError(
          `Gave up after ${clients.waitMs / 1000} s (CLOUDLAUNCH_GCP_WAIT_S) waiting for ${op.operationType ?? "operation"} of ${target || operation}; ` +
            "it may still finish: run the command again to converge.",
          "other",
        );
      },
    },
  );
}

export interface OperationFailure {
  code: string;
  message: string;
}

const MIN_COUNT = "VM_MIN_COUNT_NOT_REACHED";

/**
 * The operation's error, named by the most telling entry: a failed bulkInsert lists VM_MIN_COUNT_NOT_REACHED first
 * and the reason (ZONE_RESOURCE_POOL_EXHAUSTED, QUOTA_EXCEEDED...) after it
 * (https://github.com/googleapis/google-cloud-go/issues/5168), so the whole list is read, not errors[0].
 */
export function operationFailure(op: Operation): OperationFailure | undefined {
  const all = (op.error?.errors ?? []).map((e) => ({
    code: String(e.code ?? "UNKNOWN"),
    message: String(e.message ?? ""),
  }));
  if (!all.length) return undefined;
  const telling =
    all.find((f) => isCapacityFailure(f) || isQuotaFailure(f)) ?? all.find((f) => f.code !== MIN_COUNT) ?? all[0];
  const others = all.filter((f) => f !== telling).map((f) => `${f.code}: ${f.message}`);
  return { code: telling.code, message: [telling.message, ...others].join(" ") };
}

/** Capacity problems a different zone may not have (the _WITH_DETAILS variant is what newer zones report). */
export const isCapacityFailure = (f: OperationFailure) => /^ZONE_RESOURCE_POOL_EXHAUSTED/.test(f.code);

/** Regional quotas: CPUs, or the ephemeral external IPs every node takes. */
export const isQuotaFailure = (f: OperationFailure) => f.code === "QUOTA_EXCEEDED";
