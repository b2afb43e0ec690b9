// The cluster's firewall rules on the subnetwork's network: Dask and SSH from the allowed CIDRs to the cluster's
// network tag, and all traffic between the cluster's nodes. Firewalls take no labels in Compute, so they are
// found by name and target tag. https://cloud.google.com/compute/docs/reference/rest/v1/firewalls
import type { Plan } from "../../plan/types";
import type { GcpClients } from "./clients";
import { describeFailure, toCloudError, withRetry } from "./errors";
import { operationFailure, operationOf, waitForOperation, type Operation } from "./operations";
import type { Placement } from "./placement";
import { firewallNames, networkTag, requestIdFor } from "./resources";
import { CloudError } from "../../errors";

export function firewallRules(plan: Plan, network: string) {
  const tag = networkTag(plan.cluster);
  const [dask, internal] = firewallNames(plan.cluster);
  const description = ownershipMark(plan.cluster);
  return [
    {
      name: dask,
      description,
      network,
      direction: "INGRESS",
      priority: 1000,
      sourceRanges: plan.firewall.allowedCidrs,
      targetTags: [tag],
      allowed: [{ IPProtocol: "tcp", ports: plan.firewall.tcpPorts.map(String) }],
    },
    {
      name: internal,
      description,
      network,
      direction: "INGRESS",
      priority: 1000,
      sourceTags: [tag],
      targetTags: [tag],
      allowed: [{ IPProtocol: "all" }],
    },
  ];
}

async function settle(clients: GcpClients, project: string, op: Operation | undefined, what: string) {
  if (!op) return;
  const failure = operationFailure(await waitForOperation(clients, project, op));
  if (failure) throw new CloudError(`Failed to ${what}: ${failure.code}: ${failure.message}`, "other", failure.code);
}

/** Creates the rules that do not exist yet; an existing rule of the same name (an earlier run) is kept. */
export async function ensureFirewalls(clients: GcpClients, placement: Placement, project: string, plan: Plan): Promise<void> {
  const { network } = await placement.subnetwork(plan.spec);
  await Promise.all(
    firewallRules(plan, network).map(async (rule) => {
      const what = `create firewall rule ${rule.name}`;
      const op = await withRetry(what, async () => {
        try {
          return operationOf(await clients.firewalls.insert({ project, firewallResource: rule, requestId: requestIdFor(plan.cluster, rule.name) }));
        } catch (err) {
          if (describeFailure(err).httpStatus === 409) return undefined;
          throw err;
        }
      });
      await settle(clients, project, op, what);
    }),
  );
}

// Firewall rules take no labels: the description carries the ownership mark, checked before anything is deleted.
const ownershipMark = (cluster: string) => `cloudlaunch-managed: cluster ${cluster}`;

/** The rule's description if it exists, null if it does not. */
async function firewallDescription(clients: GcpClients, project: string, firewall: string): Promise<string | null> {
  return withRetry(`read firewall rule ${firewall}`, () =>
    clients.firewalls.get({ project, firewall }).then(
      ([rule]) => rule.description ?? "",
      (err) => {
        if (describeFailure(err).httpStatus === 404) return null;
        throw err;
      },
    ),
  );
}

export async function deleteFirewalls(clients: GcpClients, project: string, cluster: string): Promise<void> {
  await Promise.all(
    firewallNames(cluster).map(async (firewall) => {
      // A rule of that name that cloudlaunch did not create is not ours to delete.
      if ((await firewallDescription(clients, project, firewall)) !== ownershipMark(cluster)) return;
      const what = `delete firewall rule ${firewall}`;
      const op = await withRetry(what, async () => {
        try {
          return operationOf(await clients.firewalls.delete({ project, firewall }));
        } catch (err) {
          if (describeFailure(err).httpStatus === 404) return undefined;
          throw err;
        }
      }).catch((err) => {
        throw toCloudError(err, what);
      });
      await settle(clients, project, op, what);
    }),
  );
}

export async function remainingFirewalls(clients: GcpClients, project: string, cluster: string): Promise<string[]> {
  const found = await Promise.all(
    firewallNames(cluster).map(async (firewall) =>
      (await firewallDescription(clients, project, firewall)) === ownershipMark(cluster) ? [`firewall ${firewall}`] : [],
    ),
  );
  return found.flat();
}
