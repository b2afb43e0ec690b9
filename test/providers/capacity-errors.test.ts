// Capacity is recognised wherever a cloud puts it in its error list, not only first: GCP's bulkInsert lists
// VM_MIN_COUNT_NOT_REACHED before the reason; ARM wraps AllocationFailed / ZonalAllocationFailed / SkuNotAvailable
// under a ResourceOperationFailure-style outer code.
import { isCapacityError } from "../../src/providers/azure/errors";
import { isCapacityFailure, isQuotaFailure, operationFailure } from "../../src/providers/gcp/operations";

const op = (...errors: [string, string][]) => ({
  status: "DONE" as const,
  error: { errors: errors.map(([code, message]) => ({ code, message })) },
});

test("GCP: the reason after VM_MIN_COUNT_NOT_REACHED names the failure, and the rest is kept in the message", () => {
  const f = operationFailure(
    op(
      ["VM_MIN_COUNT_NOT_REACHED", "Requested minimum count of 3 VMs could not be created."],
      ["ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS", "The zone does not have enough resources"],
    ),
  )!;
  expect(f.code).toBe("ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS");
  expect(isCapacityFailure(f)).toBe(true);
  expect(f.message).toContain("VM_MIN_COUNT_NOT_REACHED");
  const quota = operationFailure(op(["VM_MIN_COUNT_NOT_REACHED", "x"], ["QUOTA_EXCEEDED", "Quota 'CPUS' exceeded."]))!;
  expect(isQuotaFailure(quota)).toBe(true);
  // Alone, the min-count failure is neither capacity nor quota: it is reported as it is.
  const alone = operationFailure(
    op(["VM_MIN_COUNT_NOT_REACHED", "Requested minimum count of 1 VMs could not be created."]),
  )!;
  expect([alone.code, isCapacityFailure(alone)]).toEqual(["VM_MIN_COUNT_NOT_REACHED", false]);
  expect(operationFailure({ status: "DONE" })).toBeUndefined();
});

test("Azure: a capacity code at the top or nested in details", () => {
  expect(isCapacityError({ statusCode: 409, code: "ZonalAllocationFailed", message: "Allocation failed." })).toBe(true);
  const nested = {
    statusCode: 200,
    code: "ResourceOperationFailure",
    message: "The resource operation completed with terminal provisioning state 'Failed'.",
    details: [{ code: "AllocationFailed", message: "Allocation failed. We do not have sufficient capacity." }],
  };
  expect(isCapacityError(nested)).toBe(true);
  expect(
    isCapacityError({
      code: "DeploymentFailed",
      response: { parsedBody: { error: { code: "x", details: [{ code: "SkuNotAvailable" }] } } },
    }),
  ).toBe(true);
  expect(isCapacityError({ code: "ResourceOperationFailure", details: [{ code: "OSProvisioningTimedOut" }] })).toBe(
    false,
  );
});
