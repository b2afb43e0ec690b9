// stop / start / terminate, node by node: each node's call and operation is awaited with bounded concurrency, and
// every node gets its own result; a node that is gone or in the wrong state is reported, the others proceed.
import pLimit from "p-limit";
import { decide } from "../../apply/lifecycle-table";
import { CloudError } from "../../errors";
import type { NodeInfo, NodeResult, Progress } from "../provider";
import type { GcpClients } from "./clients";
import { describeFailure, toCloudError, withRetry } from "./errors";
import { listInstances, toNodeInfo } from "./nodes";
import { gcpWaitMs, operationFailure, operationOf, waitForOperation } from "./operations";

export type Action = "start" | "stop" | "terminate";

const PAST: Record<Action, string> = { start: "started", stop: "stopped", terminate: "terminated" };
const CONCURRENCY = 32;

export async function act(
  clients: GcpClients,
  project: string,
  region: string,
  action: Action,
  nodes: NodeInfo[],
  progress: Progress,
): Promise<NodeResult[]> {
  const limit = pLimit(CONCURRENCY);
  let done = 0;
  const results = await Promise.all(
    nodes.map((node) =>
      limit(async (): Promise<NodeResult> => {
        const d = decide(action, node);
        if (!d.act) return { name: node.name, ok: d.ok, message: d.message, node };
        const request = { project, zone: String(node.zone), instance: node.id };
        const what = `${action} ${node.name}`;
        try {
          const op = await withRetry(
            what,
            async () =>
              operationOf(
                action === "start"
                  ? await clients.instances.start(request)
                  : action === "stop"
                    ? await clients.instances.stop(request)
                    : await clients.instances.delete(request),
              ),
            (m) => progress.note(m),
          );
          const failure = operationFailure(await waitForOperation(clients, project, op, request.zone));
          progress.update(++done, nodes.length, PAST[action]);
          if (failure) return { name: node.name, ok: false, message: `${failure.code}: ${failure.message}`, node };
          return { name: node.name, ok: true, message: PAST[action], node };
        } catch (err) {
          const gone = err instanceof CloudError ? err.kind === "not-found" : describeFailure(err).httpStatus === 404;
          if (gone) {
            return { name: node.name, ok: false, message: "not found", node };
          }
          return { name: node.name, ok: false, message: toCloudError(err, what).message, node };
        }
      }),
    ),
  );
  return action === "start" ? withNewAddresses(clients, project, region, results, progress) : results;
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
  const deadline = Date.now() + gcpWaitMs();
  let delay = 200;
  for (;;) {
    const live = new Map(
      (await listInstances(clients, project, region, cluster)).map((i) => [String(i.name), toNodeInfo(i)]),
    );
    const isReady = (r: NodeResult) => {
      const n = live.get(String(r.node?.id));
      return n?.state === "running" && !!n.publicIp;
    };
    const ready = started.filter(isReady);
    progress.update(ready.length, started.length, "running");
    if (ready.length === started.length || Date.now() > deadline) {
      return results.map((r): NodeResult => {
        if (!r.ok) return r;
        if (isReady(r)) return { ...r, node: live.get(String(r.node?.id)) };
        const state = live.get(String(r.node?.id))?.state ?? "missing";
        const bound = `${gcpWaitMs() / 1000} s (CLOUDLAUNCH_GCP_WAIT_S)`;
        return { ...r, ok: false, message: `${state}, not running with an external IP within ${bound}` };
      });
    }
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(delay * 1.5, 2000);
  }
}
