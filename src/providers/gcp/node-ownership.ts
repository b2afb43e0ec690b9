// Instance names are the node names and unique per zone: before launching, a node name held in the region by an
// instance without this cluster's labels stops `up` (an insert would answer 409 and the node would never appear).
import type { Plan } from "../../plan/types.js";
import { CLUSTER_TAG, OWNER_TAG } from "../provider.js";
import { foreignResource, ownedBy } from "../ownership.js";
import type { GcpClients } from "./clients.js";
import { withRetry } from "./errors.js";

export async function checkNodeNames(clients: GcpClients, project: string, region: string, plan: Plan): Promise<void> {
  const creating = new Set(plan.nodes.filter((n) => n.action === "create").map((n) => n.name));
  if (!creating.size) return;
  await withRetry("list instances", async () => {
    // Unfiltered: the instances that matter are exactly the ones without our labels.
    const pages = clients.instances.aggregatedListAsync(
      { project, maxResults: 500, returnPartialSuccess: true },
      { autoPaginate: false },
    );
    for await (const [scope, list] of pages) {
      if (!scope.startsWith(`zones/${region}-`)) continue;
      for (const inst of list.instances ?? []) {
        if (!creating.has(String(inst.name)) || ownedBy(inst.labels ?? {}, plan.cluster)) continue;
        const zone = scope.slice("zones/".length);
        throw foreignResource(
          `Instance ${inst.name} in ${zone} of project ${project}`,
          plan.cluster,
          `the labels ${OWNER_TAG}=true and ${CLUSTER_TAG}=${plan.cluster}`,
        );
      }
    }
  });
}
