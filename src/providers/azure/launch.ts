// Launch: one PUT per VM (Azure has no batch create for standalone VMs), bounded by p-limit, each polled as the SDK
// polls long-running operations. Sizes refused by resourceSkus are skipped up front; a capacity failure at create
// (SkuNotAvailable, ZonalAllocationFailed...) deletes the failed VM and falls back to the next candidate. A quota
// error stops further launches: every other node would hit the same quota.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import pLimit from "p-limit";
import { CloudError } from "../../errors.js";
import type { Plan } from "../../plan/types.js";
import type { LaunchedNode, LaunchRequest, Progress } from "../provider.js";
import type { AzureClients } from "./clients.js";
import { failureOf, isCapacityError, isNotFound, toCloudError } from "./errors.js";
import { nsgId, requireGroup, subnetId } from "./network.js";
import { listNodes } from "./nodes.js";
import type { SkuAvailability } from "./skus.js";
import { vmBody } from "./vm-spec.js";

export function readSshPublicKey(plan: Plan): string {
  const file = plan.spec.ssh?.public_key_file;
  if (!file) throw new CloudError("Azure VMs need an SSH public key: set ssh.public_key_file in the spec (password login is disabled).", "invalid");
  const path = file.replace(/^~(?=$|\/)/, homedir());
  try {
    return readFileSync(path, "utf8").trim();
  } catch (err) {
    throw new CloudError(`Cannot read ssh.public_key_file ${path}: ${(err as Error).message}`, "invalid");
  }
}

interface Outcome {
  request: LaunchRequest;
  size?: string;
  fallback?: string;
  error?: CloudError;
}

export async function launch(c: AzureClients, skus: SkuAvailability, plan: Plan, requests: LaunchRequest[], progress: Progress): Promise<LaunchedNode[]> {
  const rg = requireGroup(c);
  const shared = {
    spec: plan.spec, cluster: plan.cluster, subnetId: subnetId(c, plan.spec, plan.cluster), nsgId: nsgId(c, plan.cluster),
    sshPublicKey: readSshPublicKey(plan), zone: plan.zone,
  };
  const poll = { updateIntervalInMs: c.settings.pollIntervalMs };
  const limit = pLimit(c.settings.concurrency);
  let quotaHit: CloudError | undefined;
  let done = 0;

  const launchOne = async (request: LaunchRequest): Promise<Outcome> => {
    const refused: string[] = [];
    for (const candidate of request.candidates) {
      if (quotaHit) return { request, error: quotaHit };
      const why = skus.unavailable(candidate.type, plan.zone);
      if (why) {
        refused.push(why);
        continue;
      }
      const body = vmBody({ ...shared, node: request.name, role: request.role, size: candidate.type, spot: request.spot, userData: request.userData(candidate) });
      try {
        await c.compute.virtualMachines.beginCreateOrUpdateAndWait(rg, request.name, body, poll);
        progress.update(++done, requests.length, "running");
        const fallback = refused.length
          ? `${request.name}: fell back to ${candidate.type} instead of ${request.candidates[0].type} (${refused.join("; ")})`
          : undefined;
        if (fallback) progress.note(fallback);
        return { request, size: candidate.type, fallback };
      } catch (err) {
        if (!isCapacityError(err)) {
          const error = toCloudError(err, `creating VM ${request.name} (${candidate.type})`);
          if (error.kind === "quota") quotaHit = error;
          return { request, error };
        }
        refused.push(`${candidate.type}: ${failureOf(err).code}`);
        // An allocation failure leaves the VM (and its NIC and IP) in a Failed state; remove it before the next size.
        await c.compute.virtualMachines.beginDeleteAndWait(rg, request.name, poll).catch((e) => {
          if (!isNotFound(e)) throw toCloudError(e, `removing the failed VM ${request.name}`);
        });
      }
    }
    const error = new CloudError(`No capacity for ${request.name} in ${plan.region}${plan.zone ? ` zone ${plan.zone}` : ""}: ${refused.join("; ")}. Try another zone or location, or other sizes.`, "capacity");
    return { request, error };
  };

  const outcomes = await Promise.all(requests.map((r) => limit(() => launchOne(r))));
  const failed = outcomes.filter((o) => o.error);
  if (failed.length > 0) {
    const first = failed[0].error!;
    const list = failed.slice(0, 5).map((o) => o.request.name).join(", ") + (failed.length > 5 ? ", ..." : "");
    throw new CloudError(`${failed.length} of ${requests.length} nodes failed to launch (${list}): ${first.message}`, first.kind, first.code);
  }
  const byName = new Map((await listNodes(c, plan.cluster)).map((n) => [n.name, n]));
  return outcomes.map((o) => {
    const node = byName.get(o.request.name);
    if (!node) throw new CloudError(`VM ${o.request.name} was created but is not listed in resource group ${rg}.`, "other");
    return { ...node, ...(o.fallback ? { fallback: o.fallback } : {}) };
  });
}
