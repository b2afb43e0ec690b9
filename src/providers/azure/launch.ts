// Launch at scale. Each VM is one PUT (its NIC and Standard public IP inline, deleted with it); the PUTs go out as
// fast as Resource Manager's write bucket allows (see write-pacer.ts), and a PUT's slot is free again as soon as
// Azure has accepted it. The VMs are then watched together: each round is two paged lists (the group's VMs with
// their provisioningState, the power states), not one operation poll per VM. Only a VM that ends Failed costs a
// call of its own (its instanceView, which names the error). Sizes refused by resourceSkus are skipped up front; a
// capacity failure (SkuNotAvailable, ZonalAllocationFailed, AllocationFailed...) deletes the failed VM, waits until
// it is gone — its name is the node's — and tries the next candidate. A quota error stops further launches: every
// other node would hit the same quota. The VM name is the node name, so a repeated PUT is an update, never a twin.
import pLimit from "p-limit";
import { CloudError, isUserError } from "../../errors.js";
import { pollUntil } from "../../wait.js";
import { publicKeyLine } from "../../spec/ssh-key.js";
import type { Plan } from "../../plan/types.js";
import type { LaunchedNode, LaunchRequest, Progress } from "../provider.js";
import type { AzureClients } from "./clients.js";
import { failureOf, isCapacityError, isNotFound, toCloudError, type AzureFailure } from "./errors.js";
import { nsgId, requireGroup, subnetId } from "./network.js";
import { listNodes, vmProgress } from "./nodes.js";
import { checkNodeNames } from "./node-ownership.js";
import type { SkuAvailability } from "./skus.js";
import { vmBody } from "./vm-spec.js";

/** The validated key line (validation already refused a missing file, a private key or an ECDSA key). */
/** Azure requires a key: publicKeyLine refuses a spec without one, as it refuses an unreadable file on every cloud. */
export function readSshPublicKey(plan: Plan): string {
  return publicKeyLine(plan.spec)!;
}

/** One node being launched: the candidates tried so far and where its current VM is. */
interface Slot {
  request: LaunchRequest;
  next: number;
  refused: string[];
  size?: string;
  /** When Azure accepted the current PUT: only a listing begun after it can judge the VM. */
  acceptedAt?: number;
  unlistedRounds: number;
  done?: boolean;
  error?: CloudError;
}

/** Rounds a VM whose PUT was accepted may be missing from the list (ARM's lists can lag) before it is an error. */
const MAX_UNLISTED_ROUNDS = 10;

export async function launch(
  c: AzureClients,
  skus: SkuAvailability,
  plan: Plan,
  requests: LaunchRequest[],
  progress: Progress,
): Promise<LaunchedNode[]> {
  const rg = requireGroup(c);
  await checkNodeNames(
    c,
    plan,
    requests.map((r) => r.name),
  );
  const shared = {
    spec: plan.spec,
    cluster: plan.cluster,
    subnetId: subnetId(c, plan.spec, plan.cluster),
    nsgId: nsgId(c, plan.cluster),
    sshPublicKey: readSshPublicKey(plan),
    zone: plan.zone,
  };
  const poll = { updateIntervalInMs: c.settings.pollIntervalMs };
  const limit = pLimit(c.settings.concurrency);
  const slots = requests.map((request): Slot => ({ request, next: 0, refused: [], unlistedRounds: 0 }));
  const creating = new Map<string, Slot>();
  const busy = new Set<Promise<void>>();
  let quotaHit: CloudError | undefined;
  let running = 0;

  const fail = (slot: Slot, err: unknown, what: string) => {
    slot.error = toCloudError(err, what);
    if (slot.error.kind === "quota") quotaHit ??= slot.error;
  };

  /** PUTs the node's next usable candidate; returns once Azure accepted it (or nothing is left to try). */
  const submit = async (slot: Slot) => {
    const { request } = slot;
    while (slot.next < request.candidates.length) {
      if (quotaHit) return void (slot.error = quotaHit);
      const candidate = request.candidates[slot.next++];
      const why = skus.unavailable(candidate.type, plan.zone);
      if (why) {
        slot.refused.push(why);
        continue;
      }
      const body = vmBody({
        ...shared,
        node: request.name,
        role: request.role,
        size: candidate.type,
        spot: request.spot,
        userData: request.userData(candidate),
      });
      await c.writes.take();
      try {
        await c.compute.virtualMachines.beginCreateOrUpdate(rg, request.name, body, poll);
        slot.size = candidate.type;
        slot.acceptedAt = Date.now();
        creating.set(request.name.toLowerCase(), slot);
        return;
      } catch (err) {
        // Refused synchronously (SkuNotAvailable at PUT): Azure created nothing, the next size may go at once.
        if (!isCapacityError(err)) return fail(slot, err, `creating VM ${request.name} (${candidate.type})`);
        slot.refused.push(`${candidate.type}: ${failureOf(err).code}`);
      }
    }
    slot.error = noCapacity(plan, slot);
  };

  /** A VM that ended Failed: its instanceView names the error; a capacity error is removed and retried smaller. */
  const recover = async (slot: Slot) => {
    const name = slot.request.name;
    let failure: AzureFailure;
    try {
      const view = await c.compute.virtualMachines.instanceView(rg, name);
      const status = view.statuses?.find((s) => s.code?.toLowerCase().startsWith("provisioningstate/failed"));
      failure = {
        code: status?.code?.split("/")[2] ?? "ProvisioningFailed",
        message: status?.message ?? `VM ${name} failed to provision.`,
      };
    } catch (err) {
      return fail(slot, err, `reading why VM ${name} failed`);
    }
    if (!isCapacityError(failure)) return fail(slot, failure, `creating VM ${name} (${slot.size})`);
    slot.refused.push(`${slot.size}: ${failure.code}`);
    try {
      // The failed VM keeps its NIC and IP; it must be gone before its name is PUT again.
      await c.compute.virtualMachines.beginDeleteAndWait(rg, name, poll);
    } catch (err) {
      if (!isNotFound(err)) return fail(slot, err, `removing the failed VM ${name}`);
    }
    await limit(() => submit(slot));
  };

  const track = (slot: Slot, work: Promise<void>) => {
    const p = work.catch((err) => fail(slot, err, `launching ${slot.request.name}`)).finally(() => busy.delete(p));
    busy.add(p);
  };
  for (const slot of slots)
    track(
      slot,
      limit(() => submit(slot)),
    );

  // Bounded: a VM can stay Creating for ever (an allocation that never completes); the ones still there are named.
  const waitS = c.settings.waitMs / 1000;
  const deadline = Date.now() + waitS * 1000;
  await pollUntil(
    async () => {
      if (creating.size === 0) return busy.size === 0 ? true : undefined;
      if (Date.now() > deadline) {
        await Promise.allSettled(busy);
        const late = [...creating.values()].map((s) => s.request.name);
        throw new CloudError(
          `Gave up after ${waitS} s (CLOUDLAUNCH_AZURE_WAIT_S) waiting for ${late.slice(0, 10).join(", ")}${late.length > 10 ? ` and ${late.length - 10} more` : ""} to be created; ` +
            "run up again: it waits for them or replaces them.",
          "other",
        );
      }
      const listedAt = Date.now();
      let states: Awaited<ReturnType<typeof vmProgress>>;
      try {
        states = await vmProgress(c, plan.cluster);
      } catch (err) {
        await Promise.allSettled(busy);
        throw toCloudError(err, `watching the VMs of cluster ${plan.cluster} being created`);
      }
      for (const [key, slot] of [...creating]) {
        if (slot.acceptedAt! > listedAt) continue;
        const vm = states.get(key);
        if (!vm) {
          if (++slot.unlistedRounds <= MAX_UNLISTED_ROUNDS) continue;
          creating.delete(key);
          slot.error = new CloudError(
            `VM ${slot.request.name} was accepted by Azure but is not listed in resource group ${rg}.`,
            "other",
          );
        } else if (vm.provisioningState === "Succeeded") {
          creating.delete(key);
          slot.done = true;
          progress.update(++running, requests.length, "running");
        } else if (vm.provisioningState === "Failed") {
          creating.delete(key);
          track(slot, recover(slot));
        }
      }
      return busy.size === 0 && creating.size === 0 ? true : undefined;
    },
    { intervalMs: c.settings.pollIntervalMs, delayFirst: true },
  );

  const failed = slots.filter((s) => s.error);
  if (failed.length > 0) {
    const first = failed[0].error!;
    // A spec or plan error (e.g. user data over the limit) is the user's to fix: it leaves as it came, not as Azure's.
    const own = failed.find((f) => isUserError(f.error))?.error;
    if (own) throw own;
    const list =
      failed
        .slice(0, 5)
        .map((s) => s.request.name)
        .join(", ") + (failed.length > 5 ? ", ..." : "");
    throw new CloudError(
      `${failed.length} of ${requests.length} nodes failed to launch (${list}): ${first.message}`,
      first.kind,
      first.code,
    );
  }
  const byName = new Map((await listNodes(c, plan.cluster)).map((n) => [n.name, n]));
  return slots.map((slot) => {
    const node = byName.get(slot.request.name);
    if (!node)
      throw new CloudError(`VM ${slot.request.name} was created but is not listed in resource group ${rg}.`, "other");
    const fallback = fallbackOf(slot);
    return { ...node, ...(fallback ? { fallback } : {}) };
  });
}

function fallbackOf(slot: Slot): string | undefined {
  if (!slot.refused.length) return undefined;
  return `${slot.request.name}: fell back to ${slot.size} instead of ${slot.request.candidates[0].type} (${slot.refused.join("; ")})`;
}

function noCapacity(plan: Plan, slot: Slot): CloudError {
  return new CloudError(
    `No capacity for ${slot.request.name} in ${plan.region}${plan.zone ? ` zone ${plan.zone}` : ""}: ${slot.refused.join("; ")}. Try another zone or location, or other sizes.`,
    "capacity",
  );
}
