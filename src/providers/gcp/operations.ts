// Waiting for Compute operations. insert/start/stop/delete answer with an Operation at once; the outcome (including
// ZONE_RESOURCE_POOL_EXHAUSTED or QUOTA_EXCEEDED) is only known when it is DONE. operations.wait blocks server-side
// for up to two minutes and may return before DONE, hence the loop.
// https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations/wait
import type { protos } from "@google-cloud/compute";
import type { GcpClients } from "./clients";
import { withRetry } from "./errors";

export type Operation = protos.google.cloud.compute.v1.IOperation;

/** The Operation inside what an insert/start/stop/delete call resolves to (the SDK wraps it as `latestResponse`). */
export function operationOf(result: unknown[]): Operation {
  return (result[0] as { latestResponse: Operation }).latestResponse;
}

export async function waitForOperation(clients: GcpClients, project: string, op: Operation, zone?: string): Promise<Operation> {
  let current = op;
  while (current.status !== "DONE") {
    const operation = String(op.name);
    current = zone
      ? (await withRetry(`wait for operation ${operation}`, () => clients.zoneOperations.wait({ project, zone, operation })))[0]
      : (await withRetry(`wait for operation ${operation}`, () => clients.globalOperations.wait({ project, operation })))[0];
  }
  return current;
}

export interface OperationFailure {
  code: string;
  message: string;
}

export function operationFailure(op: Operation): OperationFailure | undefined {
  const first = op.error?.errors?.[0];
  return first ? { code: String(first.code ?? "UNKNOWN"), message: String(first.message ?? "") } : undefined;
}

/** Capacity problems a different zone may not have (the _WITH_DETAILS variant is what newer zones report). */
export const isCapacityFailure = (f: OperationFailure) => /^ZONE_RESOURCE_POOL_EXHAUSTED/.test(f.code);

/** Regional quotas: CPUs, or the ephemeral external IPs every node takes. */
export const isQuotaFailure = (f: OperationFailure) => f.code === "QUOTA_EXCEEDED";
