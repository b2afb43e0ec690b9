// The cluster's firewall rules on the subnetwork's network: Dask and SSH from the allowed CIDRs to the cluster's
// network tag, and all traffic between the cluster's nodes. Firewalls take no labels in Compute, so they are
// found by name and target tag. https://cloud.google.com/compute/docs/reference/rest/v1/firewalls
import type { Plan } from "../../plan/types.js";
import type { GcpClients } from "./clients.js";
import { describeFailure, toCloudError, withRetry } from "./errors.js";
import { operationFailure, operationOf, waitForOperation, type Operation } from "./operations.js";
import type { Placement } from "./placement.js";
import { firewallNames, networkTag, requestIdFor } from "./resources.js";
import type { protos } from "@google-cloud/compute";
import { CloudError } from "../../errors.js";
import { foreignResource } from "../ownership.js";

function firewallRules(plan: Plan, network: string) {
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

type Firewall = protos.google.cloud.compute.v1.IFirewall;
type WantedRule = ReturnType<typeof firewallRules>[number];

const sorted = (xs?: string[] | null) => [...(xs ?? [])].sort().join(",");
/** What decides what a rule admits; the rest (id, selfLink, timestamps) is the cloud's bookkeeping. */
const ruleShape = (r: Firewall | WantedRule) =>
  JSON.stringify([
    String(r.network ?? "")
      .split("/")
      .pop(),
    r.direction,
    r.priority,
    r.description,
    sorted(r.sourceRanges),
    sorted((r as Firewall).sourceTags),
    sorted(r.targetTags),
    sorted(
      ((r.allowed ?? []) as protos.google.cloud.compute.v1.IAllowed[]).map((a) => `${a.IPProtocol}:${sorted(a.ports)}`),
    ),
  ]);

/**
 * The cluster's rules as they are, by name (null = missing). A rule of one of its names without cloudlaunch's
 * description mark is someone else's: nothing is changed and `up` stops here.
 */
export async function observeFirewalls(
  clients: GcpClients,
  project: string,
  cluster: string,
): Promise<Map<string, Firewall | null>> {
  const names = firewallNames(cluster);
  const rules = await Promise.all(names.map((name) => readFirewall(clients, project, name)));
  const found = new Map<string, Firewall | null>();
  names.forEach((name, i) => {
    if (rules[i] && rules[i]!.description !== ownershipMark(cluster)) {
      throw foreignResource(
        `Firewall rule ${name} in project ${project}`,
        cluster,
        `the description "${ownershipMark(cluster)}"`,
      );
    }
    found.set(name, rules[i]);
  });
  return found;
}

/**
 * Converges each rule: inserted when missing, patched when what it admits differs from the plan (narrowing or
 * widening allowed_cidrs), left alone when it matches. firewalls.patch is a JSON merge patch of the fields sent:
 * https://cloud.google.com/compute/docs/reference/rest/v1/firewalls/patch. Returns the changes made.
 */
export async function ensureFirewalls(
  clients: GcpClients,
  placement: Placement,
  project: string,
  plan: Plan,
): Promise<string[]> {
  const { network } = await placement.subnetwork(plan.spec);
  const existing = await observeFirewalls(clients, project, plan.cluster);
  const changes: string[] = [];
  await Promise.all(
    firewallRules(plan, network).map(async (rule) => {
      let have = existing.get(rule.name);
      if (have && ruleShape(have) === ruleShape(rule)) return;
      if (!have) {
        const inserted = await insertFirewall(clients, project, plan.cluster, rule);
        if (inserted) return void changes.push(`created firewall rule ${rule.name}`);
        // 409: another run (on another machine) made it since we looked; it is compared like any existing rule.
        have = (await observeFirewalls(clients, project, plan.cluster)).get(rule.name);
        if (!have || ruleShape(have) === ruleShape(rule)) return;
      }
      const what = `update firewall rule ${rule.name}`;
      const op = await withRetry(what, async () =>
        operationOf(await clients.firewalls.patch({ project, firewall: rule.name, firewallResource: rule })),
      );
      await settle(clients, project, op, what);
      changes.push(`firewall rule ${rule.name} updated to the spec`);
    }),
  );
  return changes;
}

/** Inserts a rule; false when a rule of that name exists already (409). */
async function insertFirewall(
  clients: GcpClients,
  project: string,
  cluster: string,
  rule: WantedRule,
): Promise<boolean> {
  const what = `create firewall rule ${rule.name}`;
  // One id per attempt to create, shared by its retries: an id reused after a terminate would be answered with the
  // old (done) operation and create nothing.
  const requestId = requestIdFor(cluster, rule.name, new Date().toISOString());
  const op = await withRetry(what, async () => {
    try {
      return operationOf(await clients.firewalls.insert({ project, firewallResource: rule, requestId }));
    } catch (err) {
      if (describeFailure(err).httpStatus === 409) return undefined;
      throw err;
    }
  });
  if (!op) return false;
  await settle(clients, project, op, what);
  return true;
}

// Firewall rules take no labels: the description carries the ownership mark, checked before anything is deleted.
const ownershipMark = (cluster: string) => `cloudlaunch-managed: cluster ${cluster}`;

/** The rule if it exists, null if it does not. */
async function readFirewall(clients: GcpClients, project: string, firewall: string): Promise<Firewall | null> {
  return withRetry(`read firewall rule ${firewall}`, () =>
    clients.firewalls.get({ project, firewall }).then(
      ([rule]) => rule,
      (err) => {
        if (describeFailure(err).httpStatus === 404) return null;
        throw err;
      },
    ),
  );
}

const firewallDescription = async (clients: GcpClients, project: string, firewall: string) =>
  (await readFirewall(clients, project, firewall))?.description ?? null;

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
      (await firewallDescription(clients, project, firewall)) === ownershipMark(cluster)
        ? [`firewall ${firewall}`]
        : [],
    ),
  );
  return found.flat();
}
