// instances.bulkInsert (https://cloud.google.com/compute/docs/reference/rest/v1/instances/bulkInsert): one request
// creates `count` instances from shared instanceProperties, named by the keys of perInstanceProperties. As the API
// documents (https://cloud.google.com/compute/docs/troubleshooting/troubleshooting-bulk-vm-creation), the request is
// validated up front, quota included (HTTP 403 quotaExceeded), and a name already taken in the zone refuses the whole
// request (409). A zone out of capacity fails the operation with ZONE_RESOURCE_POOL_EXHAUSTED; when fewer than
// minCount instances can be made, none remain (the API rolls the created ones back before the operation is DONE).
import { alreadyExists, capacityFailure, checkName, cpusInUse, prepareInstance, type InsertContext } from "./insert";
import { createOperation, replayed, type FakeOperation } from "./operations";
import { newId } from "./state";
import { ApiError, invalid, zoneUrl } from "./wire";

/** The documented per-call maximum: https://cloud.google.com/compute/docs/instances/multiple/about-bulk-creation */
export const BULK_INSERT_MAX = 5000;
const ACTION = "compute.instances.bulkInsert";

function counts(body: any): { names: string[]; count: number; minCount: number } {
  if (body?.sourceInstanceTemplate)
    throw invalid("The fake Compute API does not support sourceInstanceTemplate; send instanceProperties.");
  if (!body?.instanceProperties)
    throw invalid(
      "Invalid value for field 'bulkInsertInstanceResource.instanceProperties': ''. Required if sourceInstanceTemplate is not provided.",
    );
  if (body.namePattern)
    throw invalid("The fake Compute API does not support namePattern; name the instances in perInstanceProperties.");
  const names = Object.keys(body.perInstanceProperties ?? {});
  const count = Number(body.count);
  const minCount = body.minCount === undefined ? count : Number(body.minCount);
  if (!Number.isInteger(count) || count < 1 || count > BULK_INSERT_MAX) {
    throw invalid(
      `Invalid value for field 'bulkInsertInstanceResource.count': '${body.count}'. Must be between 1 and ${BULK_INSERT_MAX}.`,
    );
  }
  if (!Number.isInteger(minCount) || minCount < 1 || minCount > count) {
    throw invalid(
      `Invalid value for field 'bulkInsertInstanceResource.minCount': '${body.minCount}'. Must be between 1 and count.`,
    );
  }
  if (names.length !== count) {
    throw invalid(
      `Invalid value for field 'bulkInsertInstanceResource.perInstanceProperties': the number of instance names (${names.length}) must equal count (${count}).`,
    );
  }
  return { names, count, minCount };
}

export function bulkInsertInstances(
  ctx: InsertContext,
  zone: string,
  body: any,
  requestId: string | null,
): FakeOperation {
  const { state } = ctx;
  const prior = replayed(state, requestId);
  if (prior) return prior;
  const { names, count, minCount } = counts(body);
  for (const name of names) checkName(name, `bulkInsertInstanceResource.perInstanceProperties['${name}']`);
  const taken = names.find((name) => state.instances.has(`${zone}/${name}`));
  if (taken) throw alreadyExists(state.project, zone, taken);
  const props = body.instanceProperties;
  if (/\//.test(String(props.machineType ?? ""))) {
    // The reference: a URL in instanceProperties.machineType results in an INTERNAL_ERROR; refused clearly here.
    throw invalid(
      `Invalid value for field 'instanceProperties.machineType': '${props.machineType}'. Must be a machine type name, not a URL.`,
    );
  }
  const prepared = prepareInstance(ctx, zone, props, "instanceProperties", String(props.machineType ?? ""));
  const cpus = prepared.type.guestCpus;
  const quotaFault = ctx.faults.take("quota", ACTION, { zone, instanceType: prepared.type.name });
  const limit = quotaFault ? 24 : state.cpuQuota;
  if (quotaFault || cpusInUse(state, ctx.transitionMs) + cpus * minCount > limit) {
    throw new ApiError(
      403,
      `Quota 'CPUS' exceeded.  Limit: ${limit.toFixed(1)} in region ${state.region}.`,
      "quotaExceeded",
      "usageLimits",
    );
  }
  const now = Date.now();
  const fields = {
    zone,
    operationType: "bulkInsert",
    targetLink: `${zoneUrl(state.project, zone)}/instances/bulkInsert`,
    targetId: newId(state),
  };
  const capacity = capacityFailure(ctx, ACTION, zone, prepared.type.name, minCount);
  // A capacity fault leaves room for minCount only when minCount < count; with minCount = count nothing remains.
  const made = capacity ? (minCount < count ? minCount : 0) : count;
  for (const name of names.slice(0, made)) prepared.create(name, now);
  const bulk = { target: count, created: made, failed: count - made, deleted: 0 };
  const error = made < minCount ? capacity : undefined;
  return createOperation(state, { ...fields, doneMs: now + ctx.transitionMs / 2, bulk, error }, requestId);
}
