// start / stop / terminate, node by node: each node's call and operation is awaited with bounded concurrency, and
// every node gets its own result; a node that is gone or in the wrong state is reported, the others proceed.
import pLimit from "p-limit";
import { decide } from "../../apply/lifecycle-table.js";
import { CloudError } from "../../errors.js";
import { pollUntil } from "../../wait.js";
import type { NodeInfo, NodeResult, Progress } from "../provider.js";
import type { GcpClients } from "./clients.js";
import { describeFailure, toCloudError, withRetry } from "./errors.js";
import { listInstances, NODES_SETTLE_INTERVAL, toNodeInfo } from "./nodes.js";
import { operationFailure, operationOf, waitForOperation } from "./operations.js";

export type Verb = "start" | "stop" | "terminate";

const PAST: Record<Verb, string> = { start: "started", stop: "stopped", terminate: "terminated" };
const CONCURRENCY = 32;

export async function changeState(
  clients: GcpClients,
  project: string,
  region: string,
  verb: Verb,
  nodes: NodeInfo[],
  progress: Progress,
): Promise<NodeResult[]> {
  const limit = pLimit(CONCURRENCY);
  let done = 0;
  // Decided on each node as Compute lists it now, not on the caller's copy (as the AWS and Azure drivers do).
  const now = await listedNow(clients, project, region, nodes);
  const results = await Promise.all(
    nodes.map((given) =>
      limit(async (): Promise<NodeResult> => {
        const node = now.get(given.id);
        if (!node) return gone(given, verb);
        const d = decide(verb, node);
        if (!d.act) return { name: node.name, ok: d.ok, message: d.message, node };
        const request = { project, zone: String(node.zone), instance: node.id };
        const what = `${verb} ${node.name}`;
        try {
          const op = await withRetry(
            what,
            async () =>
              operationOf(
                verb === "start"
                  ? await clients.instances.start(request)
                  : verb === "stop"
                    ? await clients.instances.stop(request)
                    : await clients.instances.delete(request),
              ),
            (m) => progress.note(m),
          );
          const failure = operationFailure(await waitForOperation(clients, project, op, request.zone));
          progress.update(++done, nodes.length, PAST[verb]);
          if (failure) return { name: node.name, ok: false, message: `${failure.code}: ${failure.message}`, node };
          return { name: node.name, ok: true, message: PAST[verb], node };
        } catch (err) {
          const notFound =
            err instanceof CloudError ? err.kind === "not-found" : describeFailure(err).httpStatus === 404;
          if (notFound) return { ...gone(node, verb), node };
          return { name: node.name, ok: false, message: toCloudError(err, what).message, node };
        }
      }),
    ),
  );
  if (verb === "start") return withNewAddresses(clients, project, region, results, progress);
  // Each acted-on node as it is now: stopped without its ephemeral address, or deleted.
  const after = await listedNow(clients, project, region, nodes);
  return results.map((r, i) =>
    r.ok && r.message === PAST[verb]
      ? { ...r, node: after.get(nodes[i].id) ?? { ...r.node!, state: "terminated", publicIp: undefined } }
      : r,
  );
}

/** A node Compute no longer lists: terminate has nothing left to do; stop and start have nothing to act on. */
function gone(node: NodeInfo, verb: Verb): NodeResult {
  return verb === "terminate"
    ? { name: node.name, ok: true, message: "already terminated" }
    : { name: node.name, ok: false, message: "not found" };
}

async function listedNow(clients: GcpClients, project: string, region: string, nodes: NodeInfo[]) {
  const listed = new Map<string, NodeInfo>();
  for (const cluster of new Set(nodes.map((n) => n.cluster)))
    for (const inst of await listInstances(clients, project, region, cluster))
      listed.set(String(inst.name), toNodeInfo(inst));
  return listed;
}

/**
 * After start: wait until the started nodes run with their new ephemeral IPs, and report those. Bounded like every
 * wait (CLOUDLAUNCH_GCP_WAIT_S): a node that does not get there in time (a Spot VM preempted as it started, a zone
 * out of capacity) is reported as not started, with the state it was last seen in.
 */
async function withNewAddresses(
  clients: GcpClients,
  project: string,
  region: string,
  results: NodeResult[],
  progress: Progress,
) {
  const started = results.filter((r) => r.ok);
  if (started.length === 0) return results;
  const cluster = started[0].node?.cluster;
  let live = new Map<string, NodeInfo>();
  const isReady = (r: NodeResult) => {
    const n = live.get(String(r.node?.id));
    return n?.state === "running" && !!n.publicIp;
  };
  const report = () =>
    results.map((r): NodeResult => {
      if (!r.ok) return r;
      if (isReady(r)) return { ...r, node: live.get(String(r.node?.id)) };
      const state = live.get(String(r.node?.id))?.state ?? "missing";
      const bound = `${clients.waitMs / 1000} s (CLOUDLAUNCH_GCP_WAIT_S)`;
      return { ...r, ok: false, message: `${state}, not running with an external IP within ${bound}` };
    });
  return pollUntil(
    async () => {
      live = new Map(
        (await listInstances(clients, project, region, cluster)).map((i) => [String(i.name), toNodeInfo(i)]),
      );
      const ready = started.filter(isReady);
      progress.update(ready.length, started.length, "running");
      return ready.length === started.length ? report() : undefined;
    },
    { intervalMs: NODES_SETTLE_INTERVAL, timeoutMs: clients.waitMs, onTimeout: report },
  );
}
