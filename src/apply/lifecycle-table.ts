// The one lifecycle table: what stop, start and terminate do for a node in each state, and what counts as success.
// The core decides with it which nodes reach the provider (src/apply/lifecycle.ts); a driver that re-reads a node's
// state just before acting decides with the same table, so no cloud behaves differently for the same state.
import type { NodeInfo, NodeState } from "../providers/provider.js";

export type LifecycleVerb = "stop" | "start" | "terminate";

/** Act on the node; or leave it, successfully (already there, or getting there) or not (with the reason). */
export type Decision = { act: true } | { act: false; ok: boolean; message: string };

const act: Decision = { act: true };
const done = (message: string): Decision => ({ act: false, ok: true, message });
const refuse = (message: string): Decision => ({ act: false, ok: false, message });

const TABLE: Record<LifecycleVerb, Record<NodeState, Decision>> = {
  stop: {
    running: act,
    // EC2 refuses to stop a booting instance; GCP and Azure would. One rule for all: wait until it runs.
    pending: refuse("still starting; stop it once it is running"),
    stopping: done("already stopping"),
    stopped: done("already stopped"),
    terminating: refuse("being terminated"),
    terminated: refuse("terminated"),
    unknown: refuse("in an unknown state; see `cloudlaunch status`"),
  },
  start: {
    stopped: act,
    running: done("already running"),
    pending: done("already starting"),
    stopping: refuse("still stopping; start it once it is stopped"),
    terminating: refuse("being terminated"),
    terminated: refuse("terminated; run up to replace it"),
    unknown: refuse("in an unknown state; see `cloudlaunch status`"),
  },
  terminate: {
    running: act,
    pending: act,
    stopping: act,
    stopped: act,
    unknown: act,
    terminating: done("already terminating"),
    terminated: done("already terminated"),
  },
};

export function decide(verb: LifecycleVerb, node: Pick<NodeInfo, "state" | "stillBilled" | "failed">): Decision {
  // Powered off from inside yet still allocated (Azure): stop deallocates it rather than calling it stopped.
  if (verb === "stop" && node.stillBilled && node.state === "stopped") return act;
  if (verb === "start" && node.failed) return refuse("failed to provision; run up to replace it");
  return TABLE[verb][node.state];
}
