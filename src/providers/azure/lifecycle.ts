// start / stop / terminate of single nodes, with a result per node. Stop deallocates: a VM that is only stopped
// (powered off but allocated) is still billed for its compute. Terminate deletes the VM, and with it the NIC, the
// public IP and the OS disk (deleteOption Delete), and waits for the deletion to finish.
import pLimit from "p-limit";
import { decide } from "../../apply/lifecycle-table.js";
import { CloudError } from "../../errors.js";
import type { NodeInfo, NodeResult, Progress } from "../provider.js";
import type { AzureClients } from "./clients.js";
import { isNotFound, toCloudError } from "./errors.js";
import { requireGroup } from "./network.js";
import { listNodes } from "./nodes.js";

type Verb = "start" | "stop" | "terminate";

const DONE: Record<Verb, string> = { start: "started", stop: "stopped (deallocated)", terminate: "terminated" };

export async function changeState(
  c: AzureClients,
  verb: Verb,
  nodes: NodeInfo[],
  progress: Progress,
): Promise<NodeResult[]> {
  const rg = requireGroup(c);
  const poll = { updateIntervalInMs: c.settings.pollIntervalMs };
  const limit = pLimit(c.settings.concurrency);
  let done = 0;
  const waitS = c.settings.waitMs / 1000;
  // Decided on each node as Resource Manager lists it now, not on the caller's copy (as the AWS and GCP drivers do).
  const clusters = [...new Set(nodes.map((n) => n.cluster))];
  const listedNow = async () => {
    const listed = new Map<string, NodeInfo>();
    for (const cluster of clusters) for (const n of await listNodes(c, cluster)) listed.set(n.id.toLowerCase(), n);
    return listed;
  };
  const before = await listedNow();
  const one = async (given: NodeInfo): Promise<NodeResult> => {
    const node = before.get(given.id.toLowerCase());
    if (!node) return gone(given);
    const d = decide(verb, node);
    if (!d.act) return { name: node.name, ok: d.ok, message: d.message, node };
    const vmName = node.id.split("/").pop() ?? node.name;
    try {
      const vms = c.compute.virtualMachines;
      const poller = await (verb === "start"
        ? vms.beginStart(rg, vmName, poll)
        : verb === "stop"
          ? vms.beginDeallocate(rg, vmName, poll)
          : vms.beginDelete(rg, vmName, poll));
      // Bounded like every wait (CLOUDLAUNCH_AZURE_WAIT_S): a VM stuck in an operation is named, not waited on for ever.
      await poller.pollUntilDone({ abortSignal: AbortSignal.timeout(waitS * 1000) }).catch((err: Error) => {
        if (err?.name !== "AbortError" && err?.name !== "TimeoutError") throw err;
        throw new CloudError(
          `gave up after ${waitS} s (CLOUDLAUNCH_AZURE_WAIT_S) waiting for VM ${vmName} to be ${DONE[verb]}; run the command again`,
          "other",
        );
      });
      progress.update(++done, nodes.length, DONE[verb]);
      return { name: node.name, ok: true, message: DONE[verb] };
    } catch (err) {
      if (isNotFound(err)) return gone(node);
      return {
        name: node.name,
        ok: false,
        message: toCloudError(
          err,
          `${verb === "stop" ? "deallocating" : verb === "start" ? "starting" : "deleting"} VM ${vmName}`,
        ).message,
        node,
      };
    }
  };
  /** A node Resource Manager no longer lists: terminate has nothing left to do; stop and start nothing to act on. */
  const gone = (node: NodeInfo): NodeResult =>
    verb === "terminate"
      ? { name: node.name, ok: true, message: "already terminated" }
      : { name: node.name, ok: false, message: "not found" };
  const results = await Promise.all(nodes.map((n) => limit(() => one(n))));
  if (verb === "terminate" || !results.some((r) => r.ok && !r.node)) return results;
  // Report the nodes as they are now: a started node shows its (static) public IP, a stopped one its new state.
  const current = await listedNow();
  return results.map((r, i) => (r.node ? r : { ...r, node: current.get(nodes[i].id.toLowerCase()) }));
}
