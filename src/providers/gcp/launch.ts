// Launching nodes: one instances.insert per node (each with its own requestId), bounded concurrency for inserts and
// for operation waits, fallback to another zone or the next candidate type on capacity or quota errors, then
// polling the cluster's instances until every node is RUNNING with its external IP.
import pLimit from "p-limit";
import type { InstanceType } from "../../catalog/types";
import { CloudError } from "../../errors";
import type { Plan } from "../../plan/types";
import type { LaunchedNode, LaunchRequest, Progress } from "../provider";
import type { GcpClients } from "./clients";
import { describeFailure, toCloudError, withRetry } from "./errors";
import { listInstances, toNodeInfo } from "./nodes";
import { isCapacityFailure, isQuotaFailure, operationFailure, operationOf, waitForOperation, type OperationFailure } from "./operations";
import type { Placement } from "./placement";
import { instanceResource, requestIdFor } from "./resources";

const INSERT_CONCURRENCY = 32;
const WAIT_CONCURRENCY = 64;

interface Placed {
  req: LaunchRequest;
  zone: string;
  type: InstanceType;
  fallback?: string;
}

export class Launcher {
  private readonly inserts = pLimit(INSERT_CONCURRENCY);
  private readonly waits = pLimit(WAIT_CONCURRENCY);
  /** zone/type pairs that reported ZONE_RESOURCE_POOL_EXHAUSTED, and types over quota: skipped for the rest of the command. */
  private readonly exhausted = new Set<string>();
  private readonly overQuota = new Map<string, OperationFailure>();

  constructor(
    private readonly clients: GcpClients,
    private readonly placement: Placement,
    private readonly project: string,
    private readonly region: string,
    private readonly plan: Plan,
    private readonly progress: Progress,
  ) {}

  async launch(requests: LaunchRequest[]): Promise<LaunchedNode[]> {
    let created = 0;
    const placed = await Promise.all(
      requests.map(async (req) => {
        const p = await this.place(req, "");
        this.progress.update(++created, requests.length, "created");
        return p;
      }),
    );
    return this.waitRunning(placed);
  }

  /** Tries the candidates cheapest first, and for each the zones offering it; returns where the node was created. */
  private async place(req: LaunchRequest, salt: string): Promise<Placed> {
    const preferredZone = this.plan.zone;
    let first: string | undefined;
    let lastFailure: OperationFailure | undefined;
    for (const type of req.candidates) {
      if (this.overQuota.has(type.type)) {
        lastFailure = this.overQuota.get(type.type);
        continue;
      }
      for (const zone of await this.placement.zonesOffering(type.type, preferredZone)) {
        first ??= `${type.type} in ${zone}`;
        if (this.exhausted.has(`${zone}/${type.type}`)) continue;
        const failure = await this.insert(req, zone, type, salt);
        if (!failure) {
          const here = `${type.type} in ${zone}`;
          return { req, zone, type, fallback: here === first ? undefined : `${req.name}: ${here} instead of ${first} (${lastFailure?.code ?? "not offered"})` };
        }
        lastFailure = failure;
        if (isQuotaFailure(failure)) {
          this.overQuota.set(type.type, failure);
          this.progress.note(`${type.type}: ${failure.message} Trying the next candidate type.`);
          break;
        }
        this.exhausted.add(`${zone}/${type.type}`);
        this.progress.note(`${zone} has no capacity for ${type.type}; trying another zone or type.`);
      }
    }
    const types = req.candidates.map((c) => c.type).join(", ");
    if (lastFailure && isQuotaFailure(lastFailure)) {
      throw new CloudError(
        `Cannot launch ${req.name}: ${lastFailure.message} Request a higher quota (e.g. compute.googleapis.com/cpus for ${this.region}) at ` +
          `https://console.cloud.google.com/iam-admin/quotas?project=${this.project}, or ask for fewer or smaller workers.`,
        "quota",
        lastFailure.code,
      );
    }
    if (lastFailure) {
      throw new CloudError(`No zone of ${this.region} has capacity for ${req.name} (tried ${types}): ${lastFailure.message}`, "capacity", lastFailure.code);
    }
    throw new CloudError(`No zone of ${this.region} offers any of ${types} for ${req.name}.`, "capacity");
  }

  /** One insert and its operation; resolves to the operation's failure, or undefined once the instance exists. */
  private async insert(req: LaunchRequest, zone: string, type: InstanceType, salt: string): Promise<OperationFailure | undefined> {
    const [sourceImage, subnet] = await Promise.all([this.placement.image(this.plan.spec, type.arch), this.placement.subnetwork(this.plan.spec)]);
    const instanceResource_ = instanceResource(this.plan.spec, this.plan.cluster, req, { zone, machineType: type.type, sourceImage, subnetwork: subnet.selfLink });
    const requestId = requestIdFor(this.plan.cluster, req.name, zone, type.type, salt);
    const op = await this.inserts(() =>
      withRetry(`create instance ${req.name}`, async () => {
        try {
          return operationOf(await this.clients.instances.insert({ project: this.project, zone, instanceResource: instanceResource_, requestId }));
        } catch (err) {
          // A retried insert whose first attempt went through (or a node created by an earlier run): it exists.
          if (describeFailure(err).httpStatus === 409) return undefined;
          throw err;
        }
      }, (m) => this.progress.note(m)),
    ).catch((err) => {
      throw toCloudError(err, `create instance ${req.name}`);
    });
    if (!op) return undefined;
    const done = await this.waits(() => waitForOperation(this.clients, this.project, op, zone));
    const failure = operationFailure(done);
    if (failure && !isCapacityFailure(failure) && !isQuotaFailure(failure)) {
      throw new CloudError(`Creating ${req.name} in ${zone} failed: ${failure.code}: ${failure.message}`, "other", failure.code);
    }
    return failure;
  }

  /**
   * Polls the cluster's instances until every placed node is RUNNING with an external IP. A node missing although
   * its insert succeeded had its requestId answered by an older operation (the same name launched before and
   * since deleted): it is inserted once more under a fresh requestId.
   */
  private async waitRunning(placed: Placed[]): Promise<LaunchedNode[]> {
    const byName = new Map(placed.map((p) => [p.req.name, p]));
    const retried = new Set<string>();
    let delay = 200;
    // A node can also never get there (a Spot VM preempted during the launch): give up after a bound, naming them.
    const deadline = Date.now() + (Number(process.env.CLOUDLAUNCH_GCP_WAIT_S) || 900) * 1000;
    for (;;) {
      const nodes = new Map((await listInstances(this.clients, this.project, this.region, this.plan.cluster)).map((i) => [String(i.name), toNodeInfo(i)]));
      const ready = placed.filter((p) => {
        const n = nodes.get(p.req.name);
        return n?.state === "running" && n.publicIp;
      });
      this.progress.update(ready.length, placed.length, "running");
      if (ready.length === placed.length) {
        return placed.map((p) => ({ ...nodes.get(p.req.name)!, fallback: p.fallback }));
      }
      if (Date.now() > deadline) {
        const late = placed.filter((p) => !ready.includes(p)).map((p) => `${p.req.name} (${nodes.get(p.req.name)?.state ?? "missing"})`);
        throw new CloudError(`Timed out waiting for ${late.join(", ")} to run with an external IP; run up again to converge.`, "other");
      }
      const missing = placed.filter((p) => !nodes.has(p.req.name));
      const retry = missing.filter((p) => !retried.has(p.req.name));
      if (missing.length > retry.length) {
        throw new CloudError(`Instances ${missing.map((p) => p.req.name).join(", ")} disappeared while launching.`, "other");
      }
      for (const p of retry) retried.add(p.req.name);
      const replaced = await Promise.all(retry.map((p) => this.place(p.req, "relaunch")));
      for (const p of replaced) byName.set(p.req.name, p);
      placed = placed.map((p) => byName.get(p.req.name)!);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 1.5, 2000);
    }
  }
}
