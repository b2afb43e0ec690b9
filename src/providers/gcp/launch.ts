// Launching nodes: requests that share role, spot, candidates and user data are created together with bulkInsert
// (see bulk.ts); a lone node (the scheduler) with instances.insert. Every call carries a deterministic requestId.
// On capacity or quota errors the same names move to another zone or the next candidate type, after checking that
// none of them exists anywhere (names are unique per zone only). Then the cluster's instances are polled until every
// node is RUNNING with its external IP.
import pLimit from "p-limit";
import type { InstanceType } from "../../catalog/types.js";
import { CloudError } from "../../errors.js";
import { pollUntil } from "../../wait.js";
import type { Plan } from "../../plan/types.js";
import type { LaunchedNode, LaunchRequest, NodeInfo, Progress } from "../provider.js";
import { BULK_CONCURRENCY, createInBulk, describeNames, type BulkContext, type Outcome, type Placed } from "./bulk.js";
import type { GcpClients } from "./clients.js";
import { describeFailure, toCloudError, withRetry } from "./errors.js";
import { listInstances, NODES_SETTLE_INTERVAL, toNodeInfo } from "./nodes.js";
import {
  isCapacityFailure,
  isQuotaFailure,
  operationFailure,
  operationOf,
  waitForOperation,
  type OperationFailure,
} from "./operations.js";
import type { Placement } from "./placement.js";
import { instanceResource, lastSegment, requestIdFor } from "./resources.js";

const INSERT_CONCURRENCY = 32;
const WAIT_CONCURRENCY = 64;
/** How often a node missing after its creation succeeded (its requestId answered by an older operation) is re-sent. */
const RELAUNCHES = 3;

/** Requests that can share one bulkInsert: same role, spot, candidates and user data for each candidate. */
function batches(requests: LaunchRequest[]): LaunchRequest[][] {
  const groups = new Map<string, LaunchRequest[]>();
  for (const r of requests) {
    const key = [r.role, r.spot, ...r.candidates.map((c) => `${c.type}\0${r.userData(c)}`)].join("\0");
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()];
}

export class Launcher {
  private readonly inserts = pLimit(INSERT_CONCURRENCY);
  private readonly waits = pLimit(WAIT_CONCURRENCY);
  /** zone/type pairs that reported ZONE_RESOURCE_POOL_EXHAUSTED, and types over quota: skipped for the rest of the command. */
  private readonly exhausted = new Set<string>();
  private readonly overQuota = new Map<string, OperationFailure>();
  private readonly bulk: BulkContext;
  private created = 0;
  private total = 0;

  constructor(
    private readonly clients: GcpClients,
    private readonly placement: Placement,
    private readonly project: string,
    private readonly region: string,
    private readonly plan: Plan,
    private readonly progress: Progress,
  ) {
    this.bulk = {
      clients,
      placement,
      project,
      plan,
      progress,
      startedMs: Date.now(),
      bulkCalls: pLimit(BULK_CONCURRENCY),
      findExisting: (reqs) => this.findExisting(reqs),
    };
  }

  async launch(requests: LaunchRequest[]): Promise<LaunchedNode[]> {
    this.total = requests.length;
    // A batch never recreates a name that exists in some zone (an interrupted earlier run): it is waited for instead.
    const existing = requests.length > 1 ? await this.findExisting(requests) : [];
    const rest = requests.filter((r) => !existing.some((p) => p.req.name === r.name));
    this.count(existing.length);
    const placed = await Promise.all(batches(rest).map((batch) => this.place(batch, 0)));
    return this.waitRunning([...existing, ...placed.flat()]);
  }

  private count(n: number) {
    this.created += n;
    if (n) this.progress.update(this.created, this.total, "created");
  }

  /** Tries the candidates cheapest first, and for each the zones offering it, until every node of the batch exists. */
  private async place(batch: LaunchRequest[], attempt: number): Promise<Placed[]> {
    const placed: Placed[] = [];
    let pending = batch;
    let first: string | undefined;
    let lastFailure: OperationFailure | undefined;
    for (const type of batch[0].candidates) {
      if (this.overQuota.has(type.type)) {
        lastFailure = this.overQuota.get(type.type);
        continue;
      }
      for (const zone of await this.placement.zonesOffering(type.type, this.plan.zone)) {
        first ??= `${type.type} in ${zone}`;
        if (this.exhausted.has(`${zone}/${type.type}`)) continue;
        const outcome =
          pending.length > 1
            ? await createInBulk(this.bulk, pending, zone, type, attempt)
            : await this.insert(pending[0], zone, type, attempt);
        const here = `${type.type} in ${zone}`;
        const fallback = (name: string) =>
          here === first ? undefined : `${name}: ${here} instead of ${first} (${lastFailure?.code ?? "not offered"})`;
        placed.push(
          ...outcome.elsewhere,
          ...outcome.created.map((req) => ({ req, zone, type, fallback: fallback(req.name) })),
        );
        this.count(outcome.created.length + outcome.elsewhere.length);
        pending = outcome.failed;
        if (!pending.length) return placed;
        lastFailure = outcome.failure;
        if (lastFailure && isQuotaFailure(lastFailure)) {
          this.overQuota.set(type.type, lastFailure);
          this.progress.note(`${type.type}: ${lastFailure.message} Trying the next candidate type.`);
        } else {
          this.exhausted.add(`${zone}/${type.type}`);
          this.progress.note(`${zone} has no capacity for ${type.type}; trying another zone or type.`);
        }
        // A failed batch may have left some of its names behind (a rollback still running): never create them twice.
        if (pending.length > 1) {
          const found = await this.findExisting(pending);
          placed.push(...found);
          this.count(found.length);
          pending = pending.filter((r) => !found.some((p) => p.req.name === r.name));
          if (!pending.length) return placed;
        }
        if (lastFailure && isQuotaFailure(lastFailure)) break;
      }
    }
    throw this.placementError(
      pending.map((r) => r.name),
      batch[0].candidates,
      lastFailure,
    );
  }

  private placementError(
    names: string[],
    candidates: InstanceType[],
    lastFailure: OperationFailure | undefined,
  ): CloudError {
    const types = candidates.map((c) => c.type).join(", ");
    const what = describeNames(names);
    if (lastFailure && isQuotaFailure(lastFailure)) {
      return new CloudError(
        `Cannot launch ${what}: ${lastFailure.message} Request a higher quota (e.g. compute.googleapis.com/cpus for ${this.region}) at ` +
          `https://console.cloud.google.com/iam-admin/quotas?project=${this.project}, or ask for fewer or smaller workers.`,
        "quota",
        lastFailure.code,
      );
    }
    if (lastFailure) {
      return new CloudError(
        `No zone of ${this.region} has capacity for ${what} (tried ${types}): ${lastFailure.message}`,
        "capacity",
        lastFailure.code,
      );
    }
    return new CloudError(`No zone of ${this.region} offers any of ${types} for ${what}.`, "capacity");
  }

  /** The nodes among `reqs` that exist in some zone of the region, placed where they are. */
  private async findExisting(reqs: LaunchRequest[]): Promise<Placed[]> {
    const wanted = new Map(reqs.map((r) => [r.name, r]));
    const found: Placed[] = [];
    for (const inst of await listInstances(this.clients, this.project, this.region, this.plan.cluster)) {
      const req = wanted.get(String(inst.name));
      if (!req) continue;
      const machineType = lastSegment(inst.machineType);
      found.push({
        req,
        zone: lastSegment(inst.zone),
        type: req.candidates.find((c) => c.type === machineType) ?? req.candidates[0],
      });
    }
    return found;
  }

  /** One insert and its operation, for a lone node. */
  private async insert(req: LaunchRequest, zone: string, type: InstanceType, attempt: number): Promise<Outcome> {
    const [sourceImage, subnet] = await Promise.all([
      this.placement.image(this.plan.spec, type.arch),
      this.placement.subnetwork(this.plan.spec),
    ]);
    const instanceResource_ = instanceResource(this.plan.spec, this.plan.cluster, req, {
      zone,
      machineType: type.type,
      sourceImage,
      subnetwork: subnet.selfLink,
    });
    const generation = req.generation ? [`attempt-${req.generation}`] : [];
    const requestId = requestIdFor(
      this.plan.cluster,
      req.name,
      zone,
      type.type,
      attempt ? `relaunch-${attempt}` : "",
      ...generation,
    );
    const op = await this.inserts(() =>
      withRetry(
        `create instance ${req.name}`,
        async () => {
          try {
            return operationOf(
              await this.clients.instances.insert({
                project: this.project,
                zone,
                instanceResource: instanceResource_,
                requestId,
              }),
            );
          } catch (err) {
            // A retried insert whose first attempt went through (or a node created by an earlier run): it exists.
            if (describeFailure(err).httpStatus === 409) return undefined;
            throw err;
          }
        },
        (m) => this.progress.note(m),
      ),
    ).catch((err) => {
      throw toCloudError(err, `create instance ${req.name}`);
    });
    const created: Outcome = { created: [req], elsewhere: [], failed: [] };
    if (!op) return created;
    const failure = operationFailure(await this.waits(() => waitForOperation(this.clients, this.project, op, zone)));
    if (!failure) return created;
    if (!isCapacityFailure(failure) && !isQuotaFailure(failure)) {
      throw new CloudError(
        `Creating ${req.name} in ${zone} failed: ${failure.code}: ${failure.message}`,
        "other",
        failure.code,
      );
    }
    return { created: [], elsewhere: [], failed: [req], failure };
  }

  /**
   * Polls the cluster's instances until every placed node is RUNNING with an external IP. A node missing although
   * its creation succeeded had its requestId answered by an older operation (the same name launched before and
   * since deleted): it is created once more under the next attempt's requestId.
   */
  private async waitRunning(placed: Placed[]): Promise<LaunchedNode[]> {
    const relaunched = new Map<string, number>();
    let nodes = new Map<string, NodeInfo>();
    let ready: Placed[] = [];
    // A node can also never get there (a Spot VM preempted during the launch): give up after a bound, naming them.
    return pollUntil(
      async (round) => {
        // The nodes found missing last round are sent again first: nothing is launched once the bound has passed.
        const missing = placed.filter((p) => round > 0 && !nodes.has(p.req.name));
        const gaveUp = missing.filter((p) => (relaunched.get(p.req.name) ?? 0) >= RELAUNCHES);
        if (gaveUp.length) {
          throw new CloudError(
            `Instances ${gaveUp.map((p) => p.req.name).join(", ")} disappeared while launching.`,
            "other",
          );
        }
        if (missing.length) {
          this.total += missing.length;
          const again = await Promise.all(
            batches(missing.map((p) => p.req)).map((batch) => {
              const attempt = 1 + Math.max(...batch.map((r) => relaunched.get(r.name) ?? 0));
              for (const r of batch) relaunched.set(r.name, attempt);
              return this.place(batch, attempt);
            }),
          );
          const byName = new Map(again.flat().map((p) => [p.req.name, p]));
          placed = placed.map((p) => byName.get(p.req.name) ?? p);
        }
        nodes = new Map(
          (await listInstances(this.clients, this.project, this.region, this.plan.cluster)).map((i) => [
            String(i.name),
            toNodeInfo(i),
          ]),
        );
        ready = placed.filter((p) => {
          const n = nodes.get(p.req.name);
          return n?.state === "running" && n.publicIp;
        });
        this.progress.update(ready.length, placed.length, "running");
        if (ready.length === placed.length) {
          return placed.map((p) => ({ ...nodes.get(p.req.name)!, fallback: p.fallback }));
        }
        return undefined;
      },
      {
        intervalMs: NODES_SETTLE_INTERVAL,
        timeoutMs: this.clients.waitMs,
        onTimeout: () => {
          const late = placed
            .filter((p) => !ready.includes(p))
            .map((p) => `${p.req.name} (${nodes.get(p.req.name)?.state ?? "missing"})`);
          throw new CloudError(
            `Gave up after ${this.clients.waitMs / 1000} s (CLOUDLAUNCH_GCP_WAIT_S) waiting for ${late.join(", ")} to run with an external IP; run up again to converge.`,
            "other",
          );
        },
      },
    );
  }
}
