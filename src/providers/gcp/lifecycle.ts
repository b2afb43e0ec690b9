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
  const results = await Promise.all(
    nodes.map((node) =>
      limit(async (): Promise<NodeResult> => {
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
          const gone = err instanceof CloudError ? err.kind === "not-found" : describeFailure(err).httpStatus === 404;
          if (gone) {
            return { name: node.name, ok: false, message: "not found", node };
          }
          return { name: node.name, ok: false, message: toCloudError(err, what).message, node };
        }
      }),
    ),
  );
  return verb === "start" ? withNewAddresses(clients, project, region, results, progress) : results;
}

/** After start: wait until the started nodes run with their new ephemeral IPs, and report those. */
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
  return pollUntil(
    async () => {
      const live = new Map(
        (await listInstances(clients, project, region, cluster)).map((i) => [String(i.name), toNodeInfo(i)]),
      );
      const ready = started.filter((r) => {
        const n = live.get(String(r.node?.id));
        return n?.state === "running" && n.publicIp;
      });
      progress.update(ready.length, started.length, "running");
      if (ready.length === started.length) {
        return results.map((r) => (r.ok ? { ...r, node: live.get(String(r.node?.id)) } : r));
      }
    },
    { intervalMs: NODES_SETTLE_INTERVAL },
  );
}
