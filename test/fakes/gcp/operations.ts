// Compute Operation resources. Their status is computed from timestamps (PENDING → RUNNING → DONE), so the fake
// keeps no timers however many operations are in flight. https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations
import { randomBytes } from "node:crypto";
import { newId, type FakeState } from "./state";
import { projectUrl, zoneUrl } from "./wire";

export interface OperationError {
  code: string;
  message: string;
  httpStatus: number;
  httpMessage: string;
  /** Errors listed before this one (bulkInsert: VM_MIN_COUNT_NOT_REACHED comes first, the reason after). */
  leading?: { code: string; message: string }[];
}

export interface FakeOperation {
  id: string;
  name: string;
  /** Zonal operations carry their zone; global ones (firewalls) do not. */
  zone?: string;
  operationType: string;
  targetLink: string;
  targetId: string;
  insertMs: number;
  doneMs: number;
  error?: OperationError;
  /** bulkInsert: what the operation reports per location in instancesBulkInsertOperationMetadata. */
  bulk?: { target: number; created: number; failed: number; deleted: number };
}

export function createOperation(
  state: FakeState,
  fields: Omit<FakeOperation, "id" | "name" | "insertMs">,
  requestId?: string | null,
): FakeOperation {
  const now = Date.now();
  const op: FakeOperation = {
    ...fields,
    id: newId(state),
    name: `operation-${now}-${randomBytes(6).toString("hex")}-${randomBytes(4).toString("hex")}`,
    insertMs: now,
  };
  state.operations.set(op.name, op);
  if (requestId) state.requestIds.set(requestId, op);
  return op;
}

/**
 * An earlier operation with the same requestId: the API answers with it instead of acting twice. The reference
 * promises to remember a requestId "for at least 60 minutes" and says nothing of when it forgets
 * (https://cloud.google.com/compute/docs/reference/rest/v1/instances/insert, query parameter requestId):
 * the fake never forgets one, so a driver that relies on forgetting fails here.
 */
export function replayed(state: FakeState, requestId: string | null): FakeOperation | undefined {
  return requestId ? state.requestIds.get(requestId) : undefined;
}

export function operationStatus(op: FakeOperation, now = Date.now()): "PENDING" | "RUNNING" | "DONE" {
  if (now >= op.doneMs) return "DONE";
  return now - op.insertMs < (op.doneMs - op.insertMs) / 3 ? "PENDING" : "RUNNING";
}

export function operationJson(state: FakeState, op: FakeOperation, now = Date.now()) {
  const status = operationStatus(op, now);
  const base = op.zone ? zoneUrl(state.project, op.zone) : `${projectUrl(state.project)}/global`;
  const json: Record<string, unknown> = {
    kind: "compute#operation",
    id: op.id,
    name: op.name,
    operationType: op.operationType,
    targetLink: op.targetLink,
    targetId: op.targetId,
    status,
    user: "cloudlaunch-test@cloudlaunch-test.iam.gserviceaccount.com",
    progress: status === "DONE" ? 100 : 0,
    insertTime: new Date(op.insertMs).toISOString(),
    startTime: new Date(op.insertMs).toISOString(),
    selfLink: `${base}/operations/${op.name}`,
  };
  if (op.zone) json.zone = zoneUrl(state.project, op.zone);
  if (op.bulk && op.zone) {
    const b = op.bulk;
    const counts =
      status === "DONE"
        ? { createdVmCount: b.created, failedToCreateVmCount: b.failed, deletedVmCount: b.deleted }
        : { createdVmCount: 0 };
    json.instancesBulkInsertOperationMetadata = {
      perLocationStatus: {
        [`zones/${op.zone}`]: { status: status === "DONE" ? "DONE" : "CREATING", targetVmCount: b.target, ...counts },
      },
    };
  }
  if (status === "DONE") {
    json.endTime = new Date(op.doneMs).toISOString();
    if (op.error) {
      json.error = { errors: [...(op.error.leading ?? []), { code: op.error.code, message: op.error.message }] };
      json.httpErrorStatusCode = op.error.httpStatus;
      json.httpErrorMessage = op.error.httpMessage;
    }
  }
  return json;
}
