// instances.insert: validates the request as Compute does (name, machine type in the zone, image and its arch,
// subnetwork, labels), answers a repeated requestId with the first operation, and fails the operation with
// ZONE_RESOURCE_POOL_EXHAUSTED or QUOTA_EXCEEDED when a fault (or the regional CPUS quota) says so.
import type { IpPool, FaultBox } from "../common";
import { startInstance, instanceStatus, type FakeInstance } from "./instances";
import { createOperation, replayed, type FakeOperation, type OperationError } from "./operations";
import { defaultServiceAccount, newId, IMAGE_PROJECT, type FakeState, type Image, type MachineType } from "./state";
import { ApiError, invalid, lastSegment, projectUrl, zoneUrl } from "./wire";

const NAME_RE = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_KEY_RE = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE_RE = /^[a-z0-9_-]{0,63}$/;

export interface InsertContext {
  state: FakeState;
  faults: FaultBox;
  transitionMs: number;
  publicIps: IpPool;
  privateIps: IpPool;
}

export function newestInFamily(state: FakeState, family: string): Image | undefined {
  return state.images
    .filter((i) => i.family === family && !i.deprecated)
    .sort((a, b) => Date.parse(b.created) - Date.parse(a.created))[0];
}

function resolveImage(state: FakeState, link: string): Image | undefined {
  const m = /projects\/([^/]+)\/global\/images\/(family\/)?([^/]+)$/.exec(link);
  if (!m || m[1] !== IMAGE_PROJECT) return undefined;
  return m[2] ? newestInFamily(state, m[3]) : state.images.find((i) => i.name === m[3]);
}

export function validateLabels(labels: Record<string, string>, field: string) {
  if (Object.keys(labels).length > 64) throw invalid(`Invalid value for field '${field}': too many labels (max 64).`);
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY_RE.test(k) || !LABEL_VALUE_RE.test(v)) {
      throw invalid(
        `Invalid value for field '${field}': '${k}=${v}'. Label keys and values must match the label rules.`,
      );
    }
  }
}

export function cpusInUse(state: FakeState, transitionMs: number): number {
  let used = 0;
  for (const inst of state.instances.values()) {
    const s = instanceStatus(inst, transitionMs);
    if (s !== "TERMINATED" && s !== "GONE") used += inst.machineType.guestCpus;
  }
  return used;
}

export interface PreparedInstance {
  type: MachineType;
  /** Creates the instance under `name` (already checked free in the zone) and returns it. */
  create(name: string, now: number): FakeInstance;
}

/**
 * Validates an instance body as Compute does (machine type in the zone, image and its arch, subnetwork, labels);
 * `field` is where the API says the body sits: `resource` for insert, `instanceProperties` for bulkInsert.
 */
export function prepareInstance(
  ctx: InsertContext,
  zone: string,
  body: any,
  field: string,
  machineType: string,
): PreparedInstance {
  const { state } = ctx;
  const typeName = lastSegment(machineType);
  const type = state.machineTypes.get(zone)?.get(typeName);
  if (!type) {
    throw invalid(
      `Invalid value for field '${field}.machineType': '${machineType}'. Machine type with name '${typeName}' does not exist in zone '${zone}'.`,
    );
  }
  const bootDisk = (body.disks ?? []).find((d: any) => d.boot) ?? body.disks?.[0];
  const image = resolveImage(state, String(bootDisk?.initializeParams?.sourceImage ?? ""));
  if (!image) {
    throw invalid(
      `Invalid value for field '${field}.disks[0].initializeParams.sourceImage': '${bootDisk?.initializeParams?.sourceImage}'. The referenced image resource cannot be found.`,
    );
  }
  if (image.arch !== type.arch) {
    throw invalid(
      `Invalid resource usage: 'Requested boot disk architecture (${image.arch}) is not compatible with machine type architecture (${type.arch}).'`,
    );
  }
  const nic = body.networkInterfaces?.[0];
  if (nic?.subnetwork && lastSegment(nic.subnetwork) !== state.subnetwork.name) {
    throw invalid(
      `Invalid value for field '${field}.networkInterfaces[0].subnetwork': '${nic.subnetwork}'. The referenced subnetwork resource cannot be found.`,
    );
  }
  const labels: Record<string, string> = body.labels ?? {};
  validateLabels(labels, `${field}.labels`);
  const diskLabels: Record<string, string> = bootDisk?.initializeParams?.labels ?? {};
  validateLabels(diskLabels, `${field}.disks[0].initializeParams.labels`);
  const serviceAccounts = attachedServiceAccounts(state, body.serviceAccounts, field);
  return {
    type,
    create(name, now) {
      const inst: FakeInstance = {
        id: newId(state),
        name,
        zone,
        machineType: type,
        createdMs: now,
        labels: { ...labels },
        networkTags: body.tags?.items ?? [],
        metadataItems: body.metadata?.items ?? [],
        scheduling: body.scheduling ?? {},
        serviceAccounts,
        privateIp: ctx.privateIps.next(),
        boot: {
          sizeGb: Number(bootDisk?.initializeParams?.diskSizeGb ?? 10),
          image: `${projectUrl(IMAGE_PROJECT)}/global/images/${image.name}`,
          arch: image.arch,
          labels: { ...diskLabels },
          autoDelete: bootDisk?.autoDelete ?? true,
        },
        phase: "run",
        phaseMs: now,
        lastStartMs: now,
      };
      startInstance(inst, ctx.publicIps, now);
      // Faults for an accepted instance that never serves: GCP reports no error, the instance just never runs.
      const where = { zone, instanceType: type.name };
      const stuck =
        ctx.faults.take("provision-failure", "compute.instances.create", where) ??
        ctx.faults.take("stuck-pending", "compute.instances.create", where);
      if (stuck)
        inst.holdUntilMs = stuck.kind === "stuck-pending" && stuck.holdMs !== undefined ? now + stuck.holdMs : Infinity;
      state.instances.set(`${zone}/${name}`, inst);
      return inst;
    },
  };
}

/**
 * serviceAccounts[]: "Only one service account per VM instance is supported"; "default" names the project's Compute
 * Engine default service account, and the instance shows its email
 * (https://cloud.google.com/compute/docs/reference/rest/v1/instances/insert). Without the field the instance has none.
 */
function attachedServiceAccounts(state: FakeState, accounts: unknown, field: string) {
  const list = Array.isArray(accounts) ? (accounts as { email?: string; scopes?: string[] }[]) : [];
  if (list.length > 1)
    throw invalid(
      `Invalid value for field '${field}.serviceAccounts': Only one service account per VM instance is supported.`,
    );
  return list.map((a) => {
    const email = !a.email || a.email === "default" ? defaultServiceAccount(state) : a.email;
    if (!state.serviceAccountPermissions.has(email))
      throw invalid(
        `Invalid value for field '${field}.serviceAccounts[0].email': '${email}'. The user does not have access to service account '${email}'.  User: 'cloudlaunch-test'.  Ask a project owner to grant you the iam.serviceAccountUser role on the service account`,
      );
    return { email, scopes: [...(a.scopes ?? [])] };
  });
}

export function checkName(name: string, field: string) {
  if (!NAME_RE.test(name)) {
    throw invalid(
      `Invalid value for field '${field}': '${name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`,
    );
  }
}

export const alreadyExists = (project: string, zone: string, name: string) =>
  new ApiError(
    409,
    `The resource 'projects/${project}/zones/${zone}/instances/${name}' already exists`,
    "alreadyExists",
  );

export function insertInstance(ctx: InsertContext, zone: string, body: any, requestId: string | null): FakeOperation {
  const { state } = ctx;
  const prior = replayed(state, requestId);
  if (prior) return prior;
  const name = String(body?.name ?? "");
  checkName(name, "resource.name");
  if (state.instances.has(`${zone}/${name}`)) throw alreadyExists(state.project, zone, name);
  const prepared = prepareInstance(ctx, zone, body, "resource", String(body.machineType ?? ""));
  const now = Date.now();
  const target = `${zoneUrl(state.project, zone)}/instances/${name}`;
  const failure = launchFailure(ctx, "compute.instances.insert", zone, prepared.type.name, prepared.type.guestCpus);
  if (failure) {
    return createOperation(
      state,
      {
        zone,
        operationType: "insert",
        targetLink: target,
        targetId: newId(state),
        doneMs: now + ctx.transitionMs / 4,
        error: failure,
      },
      requestId,
    );
  }
  const inst = prepared.create(name, now);
  return createOperation(
    state,
    { zone, operationType: "insert", targetLink: target, targetId: inst.id, doneMs: now + ctx.transitionMs / 2 },
    requestId,
  );
}

/**
 * An injected capacity fault for this zone and type, as the operation error Compute reports. A bulkInsert reports
 * VM_MIN_COUNT_NOT_REACHED first and the reason after it (googleapis/google-cloud-go issue 5168,
 * https://github.com/googleapis/google-cloud-go/issues/5168; the same list gcloud prints for `instances bulk create`).
 */
export function capacityFailure(
  ctx: InsertContext,
  action: string,
  zone: string,
  type: string,
  minCount?: number,
): OperationError | undefined {
  if (ctx.faults.take("capacity", action, { zone, instanceType: type })) {
    return {
      ...(minCount !== undefined && {
        leading: [
          {
            code: "VM_MIN_COUNT_NOT_REACHED",
            message: `Requested minimum count of ${minCount} VMs could not be created.`,
          },
        ],
      }),
      code: "ZONE_RESOURCE_POOL_EXHAUSTED",
      message: `The zone 'projects/${ctx.state.project}/zones/${zone}' does not have enough resources available to fulfill the request.  Try a different zone, or try again later.`,
      httpStatus: 503,
      httpMessage: "SERVICE UNAVAILABLE",
    };
  }
  return undefined;
}

function launchFailure(
  ctx: InsertContext,
  action: string,
  zone: string,
  type: string,
  cpus: number,
): OperationError | undefined {
  const where = { zone, instanceType: type };
  const region = ctx.state.region;
  const capacity = capacityFailure(ctx, action, zone, type);
  if (capacity) return capacity;
  // An injected quota fault stands for a small project quota; otherwise the fake's regional CPUS quota applies.
  const faulted = ctx.faults.take("quota", action, where);
  const limit = faulted ? 24 : ctx.state.cpuQuota;
  if (faulted || cpusInUse(ctx.state, ctx.transitionMs) + cpus > limit) {
    return {
      code: "QUOTA_EXCEEDED",
      message: `Quota 'CPUS' exceeded.  Limit: ${limit.toFixed(1)} in region ${region}.`,
      httpStatus: 403,
      httpMessage: "FORBIDDEN",
    };
  }
  return undefined;
}
