// Points kept workers at a re-created scheduler: one custom metadata item per worker, which the worker reads from
// the metadata server at each service start. instances.setMetadata replaces the whole item list and needs the
// current fingerprint (a stale one is refused with 412 conditionNotMet, and the read-modify-write is retried):
// https://cloud.google.com/compute/docs/reference/rest/v1/instances/setMetadata
import pLimit from "p-limit";
import { CloudError } from "../../errors.js";
import { SCHEDULER_IP_KEY, type NodeInfo } from "../provider.js";
import type { GcpClients } from "./clients.js";
import { describeFailure, withRetry } from "./errors.js";
import { operationFailure, operationOf, waitForOperation } from "./operations.js";

const CONCURRENCY = 16;
const STALE_FINGERPRINT_RETRIES = 3;

export async function setSchedulerMetadata(
  clients: GcpClients,
  project: string,
  workers: NodeInfo[],
  address: string,
): Promise<void> {
  const limit = pLimit(CONCURRENCY);
  await Promise.all(workers.map((node) => limit(() => setOne(clients, project, node, address))));
}

async function setOne(clients: GcpClients, project: string, node: NodeInfo, address: string): Promise<void> {
  const zone = String(node.zone);
  const what = `point ${node.name} at the new scheduler`;
  for (let attempt = 1; ; attempt++) {
    const [inst] = await withRetry(`read ${node.name}`, () =>
      clients.instances.get({ project, zone, instance: node.id }),
    );
    const items = (inst.metadata?.items ?? []).filter((i) => i.key !== SCHEDULER_IP_KEY);
    const metadataResource = {
      fingerprint: inst.metadata?.fingerprint,
      items: [...items, { key: SCHEDULER_IP_KEY, value: address }],
    };
    try {
      const op = operationOf(
        await withRetry(what, () =>
          clients.instances.setMetadata({ project, zone, instance: node.id, metadataResource }),
        ),
      );
      const failure = operationFailure(await waitForOperation(clients, project, op, zone));
      if (failure)
        throw new CloudError(`Could not ${what}: ${failure.code}: ${failure.message}`, "other", failure.code);
      return;
    } catch (err) {
      if (describeFailure(err).httpStatus !== 412 || attempt >= STALE_FINGERPRINT_RETRIES) throw err;
    }
  }
}
