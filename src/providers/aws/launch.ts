// Launching: nodes with the same role, candidates, spot and user data go out as one RunInstances call for k
// instances (MinCount = MaxCount = k), a few calls at a time; each call's ClientToken is derived from the cluster,
// the node names, the placement and the launch attempt (src/apply/attempt.ts), so an SDK retry or a re-run after a
// crash returns the same reservation instead of a duplicate. A token EC2 answers with terminated instances or
// IdempotentParameterMismatch belongs to an earlier attempt: the next attempt number is tried.
// On a capacity error the batch moves to the next candidate type, then the next zone.
import { createHash } from "node:crypto";
import {
  CreateTagsCommand,
  type Instance,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  type _InstanceType,
} from "@aws-sdk/client-ec2";
import pLimit from "p-limit";
import type { InstanceType } from "../../catalog/types.js";
import { CloudError } from "../../errors.js";
import type { Plan } from "../../plan/types.js";
import type { RoleName } from "../../spec/schema.js";
import type { LaunchedNode, LaunchRequest, Progress } from "../provider.js";
import type { Ec2Api } from "./client.js";
import { toNodeInfo, waitFor, type WaitOptions } from "./nodes.js";
import { encodeBatch, launchTags, MAX_TAG_VALUE, nodeTags, tagList } from "./tags.js";
import type { LaunchTarget } from "./target.js";

/** Instances per RunInstances call; EC2's RunInstances resource bucket holds 1000. */
export const MAX_BATCH = 100;
const CONCURRENT_LAUNCHES = 4;
const CONCURRENT_TAGGING = 8;
/**
 * Node names are per-instance CreateTags calls, whose bucket holds 100 and refills 10/s: a launch of more nodes
 * would wait on tagging far longer than on EC2 itself, so its batches carry their name range as Name instead.
 */
const NAME_TAGS_PER_LAUNCH = 100;

export interface Batch {
  role: RoleName;
  spot: boolean;
  userData: LaunchRequest["userData"];
  candidates: InstanceType[];
  requests: LaunchRequest[];
  /** The highest launch attempt among the batch's names. */
  generation: number;
}

/** Groups what can share one call, then cuts each group so its names fit the batch tag. */
export function makeBatches(requests: LaunchRequest[], maxSize = MAX_BATCH): Batch[] {
  const groups = new Map<string, LaunchRequest[]>();
  for (const r of requests) {
    const key = JSON.stringify([r.role, r.spot, r.userData(r.candidates[0]), r.candidates.map((c) => c.type)]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const batches: Batch[] = [];
  for (const members of groups.values()) {
    let current: LaunchRequest[] = [];
    const flush = () => {
      const generation = Math.max(...current.map((r) => r.generation ?? 0));
      if (current.length)
        batches.push({
          role: current[0].role,
          spot: current[0].spot,
          userData: current[0].userData,
          candidates: current[0].candidates,
          requests: current,
          generation,
        });
      current = [];
    };
    for (const r of members) {
      const names = [...current, r].map((x) => x.name);
      if (current.length && (current.length >= maxSize || encodeBatch(names).length > MAX_TAG_VALUE)) flush();
      current.push(r);
    }
    flush();
  }
  return batches;
}

function clientToken(cluster: string, names: string[], type: string, subnetId: string, generation = 0): string {
  const parts = [cluster, names.join(","), type, subnetId, ...(generation ? [`attempt-${generation}`] : [])];
  return `cl-${createHash("sha256").update(parts.join("\n")).digest("hex").slice(0, 48)}`;
}

/** Attempt numbers tried past the observed one before giving up (EC2 forgets terminated instances in ~1 hour). */
const MAX_ATTEMPT_WALK = 32;
const GONE_STATES = new Set(["shutting-down", "terminated"]);

export interface LaunchContext {
  api: Ec2Api;
  plan: Plan;
  target: LaunchTarget;
  groupId: string;
  wait: WaitOptions;
  /** type@zone pairs that already failed for capacity in this run: later batches skip them. */
  exhausted: Set<string>;
  /** Whether each instance of a batch gets its own Name tag after launch. */
  nameEach: boolean;
}

export function runInput(
  ctx: LaunchContext,
  batch: Batch,
  type: string,
  subnetId: string,
  generation = batch.generation,
): RunInstancesCommandInput {
  const { plan } = ctx;
  const names = batch.requests.map((r) => r.name);
  const tags = tagList(launchTags(plan.cluster, batch.role, names, plan.spec.tags, ctx.nameEach));
  return {
    ImageId: ctx.target.image.id,
    InstanceType: type as _InstanceType,
    MinCount: names.length,
    MaxCount: names.length,
    ClientToken: clientToken(plan.cluster, names, type, subnetId, generation),
    KeyName: plan.spec.ssh?.key_name,
    UserData: Buffer.from(
      batch.userData(batch.candidates.find((c) => c.type === type) ?? batch.candidates[0]),
      "utf8",
    ).toString("base64"),
    // An ephemeral public IP at launch, on the interface that also carries the subnet and group; never an EIP.
    NetworkInterfaces: [
      {
        DeviceIndex: 0,
        SubnetId: subnetId,
        Groups: [ctx.groupId],
        AssociatePublicIpAddress: true,
        DeleteOnTermination: true,
      },
    ],
    BlockDeviceMappings: [
      {
        DeviceName: ctx.target.image.rootDeviceName,
        Ebs: { VolumeSize: plan.spec.disk_gib, VolumeType: "gp3", DeleteOnTermination: true },
      },
    ],
    TagSpecifications: [
      { ResourceType: "instance", Tags: tags },
      { ResourceType: "volume", Tags: tags },
    ],
    InstanceMarketOptions: batch.spot
      ? { MarketType: "spot", SpotOptions: { SpotInstanceType: "one-time", InstanceInterruptionBehavior: "terminate" } }
      : undefined,
    InstanceInitiatedShutdownBehavior: plan.spec.max_lifetime || plan.spec.idle_timeout ? "terminate" : undefined,
    // Tags in the metadata service let a node read its batch slot (ami-launch-index) and name without credentials.
    MetadataOptions: { HttpTokens: "required", InstanceMetadataTags: "enabled" },
  };
}

async function runBatch(
  ctx: LaunchContext,
  batch: Batch,
  progress: Progress,
): Promise<{ instances: Instance[]; fallback?: string }> {
  const preferred = { type: batch.candidates[0].type, zone: ctx.target.subnets[0].zone };
  // The plan's order (src/plan/choose.ts, the same on every cloud): each type, cheapest first, in every zone that
  // offers it before the next type, so capacity pressure moves a node to another zone before it costs more.
  const placements = batch.candidates
    .flatMap((c) =>
      ctx.target.subnets
        .filter((subnet) => ctx.target.offered.get(c.type)?.has(subnet.zone))
        .map((subnet) => ({ type: c.type, subnet })),
    )
    .filter((p) => !ctx.exhausted.has(`${p.type}@${p.subnet.zone}`));
  const what = batch.requests.length === 1 ? batch.requests[0].name : `${batch.requests.length} ${batch.role}s`;
  if (
    placements[0] &&
    placements[0].type !== preferred.type &&
    !ctx.target.offered.get(preferred.type)?.has(preferred.zone)
  ) {
    progress.note(
      `${preferred.type} is not offered in ${preferred.zone}; ${what}: trying ${placements[0].type} in ${placements[0].subnet.zone}`,
    );
  }
  for (const [i, p] of placements.entries()) {
    try {
      const out = await runAttempt(ctx, batch, p.type, p.subnet.id);
      const moved = p.type !== preferred.type || p.subnet.zone !== preferred.zone;
      return {
        instances: out.Instances ?? [],
        fallback: moved ? `${p.type} in ${p.subnet.zone} instead of ${preferred.type} in ${preferred.zone}` : undefined,
      };
    } catch (err) {
      if (!(err instanceof CloudError) || err.kind !== "capacity") throw err;
      ctx.exhausted.add(`${p.type}@${p.subnet.zone}`);
      const next = placements[i + 1];
      progress.note(
        `${what}: ${p.type} in ${p.subnet.zone}: ${err.code}${next ? `; trying ${next.type} in ${next.subnet.zone}` : ""}`,
      );
    }
  }
  const tried = batch.candidates.map((c) => c.type).join(", ");
  throw new CloudError(
    `No capacity for ${what}: tried ${tried} in ${ctx.target.subnets.map((s) => s.zone).join(", ")}. Try again later, another region, or other floors.`,
    "capacity",
    "InsufficientInstanceCapacity",
  );
}

/** RunInstances under this attempt's token: the first attempt number whose token is unused or answered by live VMs. */
async function runAttempt(ctx: LaunchContext, batch: Batch, type: string, subnetId: string) {
  for (let generation = batch.generation; generation <= batch.generation + MAX_ATTEMPT_WALK; generation++) {
    try {
      const out = await ctx.api.call("RunInstances", (ec2) =>
        ec2.send(new RunInstancesCommand(runInput(ctx, batch, type, subnetId, generation))),
      );
      const instances = out.Instances ?? [];
      if (!instances.length || !instances.every((i) => GONE_STATES.has(i.State?.Name ?? ""))) return out;
    } catch (err) {
      if (!(err instanceof CloudError) || err.code !== "IdempotentParameterMismatch") throw err;
    }
  }
  throw new CloudError(
    `Every launch token of ${batch.requests.map((r) => r.name).join(", ")} up to attempt ${batch.generation + MAX_ATTEMPT_WALK} was used before; wait a day or rename the cluster.`,
    "other",
  );
}

/** Per-node Name tags on each instance (and its volume when known); best effort, the batch tag already names it. */
async function nameInstance(ctx: LaunchContext, inst: Instance, name: string): Promise<void> {
  const volumes = (inst.BlockDeviceMappings ?? []).map((b) => b.Ebs?.VolumeId).filter((v): v is string => !!v);
  await ctx.api.call("CreateTags", (ec2) =>
    ec2.send(new CreateTagsCommand({ Resources: [inst.InstanceId!, ...volumes], Tags: tagList(nodeTags(name)) })),
  );
}

export async function launchNodes(
  base: Omit<LaunchContext, "nameEach">,
  requests: LaunchRequest[],
  progress: Progress,
): Promise<LaunchedNode[]> {
  const ctx = { ...base, nameEach: requests.length <= NAME_TAGS_PER_LAUNCH };
  const launches = pLimit(CONCURRENT_LAUNCHES);
  const tagging = pLimit(CONCURRENT_TAGGING);
  const byId = new Map<string, { request: LaunchRequest; fallback?: string }>();
  const naming: Promise<void>[] = [];
  const outcomes = await Promise.allSettled(
    makeBatches(requests).map((batch) =>
      launches(async () => {
        const { instances, fallback } = await runBatch(ctx, batch, progress);
        for (const inst of instances) {
          const request = batch.requests[inst.AmiLaunchIndex ?? 0];
          byId.set(inst.InstanceId!, { request, fallback });
          if (batch.requests.length > 1 && ctx.nameEach) {
            naming.push(
              tagging(() => nameInstance(ctx, inst, request.name)).catch((err) =>
                progress.note(`${request.name}: Name tag not set (${err.message})`),
              ),
            );
          }
        }
        progress.update(byId.size, requests.length, "launched");
      }),
    ),
  );
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failure) throw failure.reason;
  const seen = await waitFor(
    ctx.api,
    ctx.plan.cluster,
    [...byId.keys()],
    {
      label: "running",
      done: (i) => i.State?.Name === "running" && !!i.PublicIpAddress,
      failed: (i) =>
        ["shutting-down", "terminated", "stopped"].includes(i.State?.Name ?? "")
          ? `is ${i.State?.Name}: ${i.StateReason?.Message ?? "no reason given"}`
          : undefined,
    },
    (done, total) => progress.update(done, total, "running"),
    ctx.wait,
  );
  await Promise.all(naming);
  const idOf = new Map([...byId].map(([id, v]) => [v.request, id]));
  return requests.map((request) => {
    const id = idOf.get(request)!;
    return { ...toNodeInfo(seen.get(id)!)!, name: request.name, fallback: byId.get(id)!.fallback };
  });
}
