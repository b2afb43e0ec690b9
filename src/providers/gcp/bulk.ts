// Creating many nodes with instances.bulkInsert (https://cloud.google.com/compute/docs/reference/rest/v1/instances/bulkInsert):
// one call per chunk of names sharing instanceProperties, each instance named by its key in perInstanceProperties.
// minCount = count makes a chunk all-or-nothing: a zone that cannot hold it all creates none (the API rolls back).
// Errors: https://cloud.google.com/compute/docs/troubleshooting/troubleshooting-bulk-vm-creation — quota and capacity
// may be refused up front (403 quotaExceeded, 503 insufficientCapacity) or reported by the finished operation.
import type pLimit from "p-limit";
import type { InstanceType } from "../../catalog/types.js";
import { CloudError } from "../../errors.js";
import type { Plan } from "../../plan/types.js";
import type { LaunchRequest, Progress } from "../provider.js";
import type { GcpClients } from "./clients.js";
import { describeFailure, withRetry } from "./errors.js";
import {
  isCapacityFailure,
  isQuotaFailure,
  operationFailure,
  operationOf,
  waitForOperation,
  type Operation,
  type OperationFailure,
} from "./operations.js";
import type { Placement } from "./placement.js";
import { instanceProperties, requestIdFor } from "./resources.js";

/** The API takes up to 5,000 names per call; 500 keeps a capacity failure from moving more than a slice of the cluster. */
const BULK_CHUNK = 500;
/** More than 10 bulk operations running at once is refused with rateLimitExceeded. */
export const BULK_CONCURRENCY = 8;
/** An earlier command's operation answering our requestId means its names were created and deleted since: re-sent
 * under the next attempt's requestId, at most this many times. */
const MAX_ATTEMPTS = 4;

export interface Placed {
  req: LaunchRequest;
  zone: string;
  type: InstanceType;
  fallback?: string;
}

/** What one try in one zone for one type gave: nodes created there, nodes found to exist elsewhere, and the rest. */
export interface Outcome {
  created: LaunchRequest[];
  elsewhere: Placed[];
  failed: LaunchRequest[];
  failure?: OperationFailure;
}

export interface BulkContext {
  clients: GcpClients;
  placement: Placement;
  project: string;
  plan: Plan;
  progress: Progress;
  startedMs: number;
  bulkCalls: pLimit.Limit;
  /** The nodes among `reqs` that exist in any zone of the region, where they are. */
  findExisting(reqs: LaunchRequest[]): Promise<Placed[]>;
}

export const describeNames = (names: string[]) =>
  names.length === 1 ? names[0] : `${names.length} nodes (${names[0]} … ${names[names.length - 1]})`;

export async function createInBulk(
  ctx: BulkContext,
  reqs: LaunchRequest[],
  zone: string,
  type: InstanceType,
  attempt: number,
): Promise<Outcome> {
  const chunks: LaunchRequest[][] = [];
  for (let i = 0; i < reqs.length; i += BULK_CHUNK) chunks.push(reqs.slice(i, i + BULK_CHUNK));
  const outcomes = await Promise.all(
    chunks.map((chunk) => ctx.bulkCalls(() => createChunk(ctx, chunk, zone, type, attempt))),
  );
  return {
    created: outcomes.flatMap((o) => o.created),
    elsewhere: outcomes.flatMap((o) => o.elsewhere),
    failed: outcomes.flatMap((o) => o.failed),
    failure: outcomes.find((o) => o.failure)?.failure,
  };
}

type Answer = { op: Operation } | { taken: string } | { failure: OperationFailure };

async function createChunk(
  ctx: BulkContext,
  chunk: LaunchRequest[],
  zone: string,
  type: InstanceType,
  attempt: number,
): Promise<Outcome> {
  const { plan } = ctx;
  const names = chunk.map((r) => r.name);
  const [sourceImage, subnet] = await Promise.all([
    ctx.placement.image(plan.spec, type.arch),
    ctx.placement.subnetwork(plan.spec),
  ]);
  const resource = {
    count: chunk.length,
    minCount: chunk.length,
    instanceProperties: instanceProperties(plan.spec, plan.cluster, chunk[0], {
      zone,
      machineType: type.type,
      sourceImage,
      subnetwork: subnet.selfLink,
    }),
    perInstanceProperties: Object.fromEntries(names.map((n) => [n, {}])),
  };
  // Derived from what is asked, so a retried or repeated call for the same names is answered, not acted on twice.
  const generation = Math.max(...chunk.map((r) => r.generation ?? 0));
  const requestId = requestIdFor(
    plan.cluster,
    names.join(","),
    zone,
    type.type,
    `bulk-${attempt}`,
    ...(generation ? [`attempt-${generation}`] : []),
  );
  const what = `create ${describeNames(names)}`;
  const answer: Answer = await withRetry(
    what,
    async () => {
      try {
        return {
          op: operationOf(
            await ctx.clients.instances.bulkInsert({
              project: ctx.project,
              zone,
              requestId,
              bulkInsertInstanceResourceResource: resource,
            }),
          ),
        };
      } catch (err) {
        const f = describeFailure(err);
        if (f.httpStatus === 409) return { taken: /instances\/([^'/]+)' already exists/.exec(f.message)?.[1] ?? "" };
        if (f.httpStatus === 403 && /quotaExceeded/i.test(f.reason ?? ""))
          return { failure: { code: "QUOTA_EXCEEDED", message: f.message } };
        if (f.httpStatus === 503 && f.reason === "insufficientCapacity")
          return { failure: { code: "ZONE_RESOURCE_POOL_EXHAUSTED", message: f.message } };
        throw err;
      }
    },
    (m) => ctx.progress.note(m),
  );

  if ("failure" in answer) return { created: [], elsewhere: [], failed: chunk, failure: answer.failure };
  if ("taken" in answer) {
    // Some names exist already (an earlier run, or a retry racing its first attempt): keep those, create the rest.
    const found = await ctx.findExisting(chunk);
    if (!found.some((p) => p.req.name === answer.taken)) {
      throw new CloudError(
        `An instance named ${answer.taken || "like a node"} already exists in ${zone} but is not part of cluster ${plan.cluster}; rename the cluster or delete that instance.`,
        "invalid",
      );
    }
    const rest = chunk.filter((r) => !found.some((p) => p.req.name === r.name));
    const more = rest.length
      ? await createChunk(ctx, rest, zone, type, attempt)
      : { created: [], elsewhere: [], failed: [] };
    return { ...more, elsewhere: [...found, ...more.elsewhere] };
  }
  if (Date.parse(String(answer.op.insertTime)) < ctx.startedMs && attempt + 1 < MAX_ATTEMPTS) {
    return createChunk(ctx, chunk, zone, type, attempt + 1);
  }
  const failure = operationFailure(await waitForOperation(ctx.clients, ctx.project, answer.op, zone));
  if (!failure) return { created: chunk, elsewhere: [], failed: [] };
  if (!isCapacityFailure(failure) && !isQuotaFailure(failure)) {
    throw new CloudError(
      `Creating ${describeNames(names)} in ${zone} failed: ${failure.code}: ${failure.message}`,
      "other",
      failure.code,
    );
  }
  return { created: [], elsewhere: [], failed: chunk, failure };
}
