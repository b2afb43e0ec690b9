// Which launch attempt of a node name this is. Idempotency tokens (EC2 ClientToken, Compute requestId) must be the
// same for every retry of one attempt, including a re-run after a crash in the middle of it — that is what keeps a
// crash from duplicating a VM — and different for a new attempt after the name's VM is gone, because the clouds
// remember a token long after its VM: EC2 for at least 24 hours after termination, answering the old token with
// the terminated instances or IdempotentParameterMismatch; Compute for an undocumented time.
//
// A local record cannot carry the attempt: a second machine has none, and a crash can land before it is written.
// So the attempt is derived from what anyone can observe in the cloud: the number of earlier VMs of the name that
// are still listed as gone (terminated, being terminated) or failed. A crash mid-attempt changes none of them (the
// VM it launched is pending or running, or not yet listed at all), so the re-run derives the same number and sends
// the same token; a terminated or failed predecessor makes the next attempt a new number.
//
// The count is only a starting point: EC2 stops listing a terminated instance after about an hour but keeps its
// token for a day, so a driver whose token is answered with gone VMs or a parameter mismatch moves to the next
// number (src/providers/aws/launch.ts). That walk is safe: a token answered with live VMs is this attempt's own,
// whatever number found it, and a token that was never used creates the VMs once.
import type { NodeInfo } from "../providers/provider.js";

const GONE = new Set(["terminated", "terminating"]);

export function generationOf(name: string, existing: NodeInfo[]): number {
  return existing.filter((n) => n.name === name && (GONE.has(n.state) || n.failed)).length;
}
