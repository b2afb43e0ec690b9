// Points kept workers at a re-created scheduler: a tag on each worker VM, which the worker reads from the instance
// metadata service (compute/tagsList) at each service start. A VM PATCH replaces the tag set as a whole, so the
// current tags are read first. https://learn.microsoft.com/rest/api/compute/virtual-machines/update
import pLimit from "p-limit";
import { SCHEDULER_IP_KEY, type NodeInfo } from "../provider.js";
import type { AzureClients } from "./clients.js";
import { toCloudError } from "./errors.js";
import { requireGroup } from "./network.js";

export async function setSchedulerTag(c: AzureClients, workers: NodeInfo[], address: string): Promise<void> {
  const rg = requireGroup(c);
  const limit = pLimit(c.settings.concurrency);
  const poll = { updateIntervalInMs: c.settings.pollIntervalMs };
  await Promise.all(
    workers.map((node) =>
      limit(async () => {
        const vmName = node.id.split("/").pop() ?? node.name;
        try {
          const vm = await c.compute.virtualMachines.get(rg, vmName);
          await c.writes.take();
          await c.compute.virtualMachines.beginUpdateAndWait(
            rg,
            vmName,
            { tags: { ...vm.tags, [SCHEDULER_IP_KEY]: address } },
            poll,
          );
        } catch (err) {
          throw toCloudError(err, `pointing VM ${vmName} at the new scheduler`);
        }
      }),
    ),
  );
}
