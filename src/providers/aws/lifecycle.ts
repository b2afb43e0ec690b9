// stop / start / terminate: each node is judged from its current state (acted on, already there, or refused), the
// rest go out as batched calls, and the call returns once every acted-on node reached the target state.
import {
  type EC2Client,
  type Instance,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import pLimit from "p-limit";
import { decide } from "../../apply/lifecycle-table.js";
import { CloudError } from "../../errors.js";
import type { NodeInfo, NodeResult, NodeState, Progress } from "../provider.js";
import type { Ec2Api } from "./client.js";
import { describeOwned, toNodeInfo, waitFor, type WaitOptions } from "./nodes.js";

export type Verb = "start" | "stop" | "terminate";
const IDS_PER_CALL = 100;

/** A node already moving to the target state: reported as the table says, then waited for like the others. */
const IN_TRANSIT: Record<Verb, NodeState> = { stop: "stopping", start: "pending", terminate: "terminating" };

const TARGET: Record<Verb, { label: string; done: (i: Instance) => boolean; goneIsDone?: boolean }> = {
  start: { label: "running", done: (i) => i.State?.Name === "running" && !!i.PublicIpAddress },
  stop: { label: "stopped", done: (i) => i.State?.Name === "stopped" },
  terminate: { label: "terminated", done: (i) => i.State?.Name === "terminated", goneIsDone: true },
};

export const ACTION_OF: Record<Verb, string> = {
  start: "StartInstances",
  stop: "StopInstances",
  terminate: "TerminateInstances",
};

export function sendLifecycle(ec2: EC2Client, verb: Verb, ids: string[], dryRun = false): Promise<unknown> {
  const input = { InstanceIds: ids, DryRun: dryRun || undefined };
  if (verb === "start") return ec2.send(new StartInstancesCommand(input));
  if (verb === "stop") return ec2.send(new StopInstancesCommand(input));
  return ec2.send(new TerminateInstancesCommand(input));
}

export function chunks<T>(items: T[], size = IDS_PER_CALL): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function changeState(
  api: Ec2Api,
  verb: Verb,
  nodes: NodeInfo[],
  progress: Progress,
  wait: WaitOptions,
): Promise<NodeResult[]> {
  const clusters = [...new Set(nodes.map((n) => n.cluster))];
  const current = new Map<string, NodeInfo>();
  for (const cluster of clusters)
    for (const inst of await describeOwned(api, cluster)) {
      const info = toNodeInfo(inst);
      if (info) current.set(info.id, info);
    }
  const results = new Map<string, NodeResult>();
  const toAct: NodeInfo[] = [];
  const toWait: NodeInfo[] = [];
  for (const node of nodes) {
    const now = current.get(node.id);
    if (!now) {
      // No longer listed (EC2 lists a terminated instance for about an hour): terminate has nothing left to do.
      const gone = verb === "terminate";
      results.set(node.id, { name: node.name, ok: gone, message: gone ? "already terminated" : "not found" });
      continue;
    }
    const d = decide(verb, now);
    if (d.act) toAct.push(now);
    else {
      results.set(node.id, { name: node.name, ok: d.ok, message: d.message, node: now });
      if (d.ok && now.state === IN_TRANSIT[verb]) toWait.push(now);
    }
  }
  const action = ACTION_OF[verb];
  const limit = pLimit(4);
  // One refused id fails its whole call; such a chunk is retried id by id so the others still proceed.
  const send = (ids: string[]) => api.call(action, (ec2) => sendLifecycle(ec2, verb, ids));
  await Promise.all(
    chunks(toAct).map((chunk) =>
      limit(async () => {
        try {
          await send(chunk.map((n) => n.id));
          toWait.push(...chunk);
        } catch (err) {
          if (!(err instanceof CloudError) || chunk.length === 1 || !["invalid", "not-found"].includes(err.kind)) {
            for (const n of chunk)
              results.set(n.id, {
                name: n.name,
                ok: false,
                message: err instanceof Error ? err.message : String(err),
                node: n,
              });
            return;
          }
          for (const n of chunk) {
            await send([n.id]).then(
              () => void toWait.push(n),
              (e: Error) => void results.set(n.id, { name: n.name, ok: false, message: e.message, node: n }),
            );
          }
        }
      }),
    ),
  );
  for (const cluster of clusters) {
    const ids = toWait.filter((n) => n.cluster === cluster).map((n) => n.id);
    if (!ids.length) continue;
    const seen = await waitFor(
      api,
      cluster,
      ids,
      TARGET[verb],
      (done, total) => progress.update(done, total, TARGET[verb].label),
      wait,
    );
    const asked = new Map(toWait.map((n) => [n.id, n]));
    for (const id of ids) {
      const listed = seen.get(id);
      // Only terminate lets an instance drop out of the listing (goneIsDone): it is the node as asked, terminated.
      const node = listed
        ? toNodeInfo(listed)!
        : { ...asked.get(id)!, state: "terminated" as const, publicIp: undefined };
      const earlier = results.get(id);
      const message =
        earlier?.message ?? (verb === "start" ? `started, public IP ${node.publicIp}` : TARGET[verb].label);
      results.set(id, { name: node.name, ok: true, message, node });
    }
  }
  return nodes.map((n) => results.get(n.id)!);
}
