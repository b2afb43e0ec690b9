// The REST methods the GCP driver calls, routed by the paths of google.cloud.compute.v1 (the `google.api.http`
// options in @google-cloud/compute's protos). Each route names the IAM-style method for the call log.
import {
  bootDiskJson,
  instanceJson,
  instanceStatus,
  metadataFingerprint,
  startInstance,
  stopInstance,
} from "./instances";
import { bulkInsertInstances } from "./bulk-insert";
import { insertInstance, newestInFamily, type InsertContext } from "./insert";
import { createOperation, operationJson, replayed } from "./operations";
import { IMAGE_PROJECT, newId } from "./state";
import { regionQuotas } from "./quotas";
import {
  ApiError,
  invalid,
  lastSegment,
  matches,
  notFound,
  page,
  parseFilter,
  projectUrl,
  regionUrl,
  zoneUrl,
} from "./wire";
import { sleep } from "../common";
import type { ConsoleLogs } from "../console";
import { serialPortOutput } from "./serial-port";

export interface RouteContext extends InsertContext {
  consoles: ConsoleLogs;
  query: URLSearchParams;
  body: any;
}

type Reply = Record<string, unknown>;
export interface Route {
  method: string;
  pattern: RegExp;
  action: string;
  mutating: boolean;
  /** params[0] is the project; the rest are the pattern's other captures. */
  handle(ctx: RouteContext, params: string[]): Reply | Promise<Reply>;
}

const P = "/compute/v1/projects/([^/]+)";
const NAME_RE = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

function listed<T>(ctx: RouteContext, kind: string, selfLink: string, all: T[]): Reply {
  const filtered = all.filter((r) => matches(r, parseFilter(ctx.query.get("filter"))));
  return { kind, id: selfLink, ...page(filtered, ctx.query), selfLink };
}

function zoneOf(ctx: RouteContext, zone: string): string {
  if (!ctx.state.zones.includes(zone)) throw notFound(`projects/${ctx.state.project}/zones/${zone}`);
  return zone;
}

function instanceOf(ctx: RouteContext, zone: string, name: string) {
  const inst = ctx.state.instances.get(`${zoneOf(ctx, zone)}/${name}`);
  if (!inst || instanceStatus(inst, ctx.transitionMs) === "GONE") {
    throw notFound(`projects/${ctx.state.project}/zones/${zone}/instances/${name}`);
  }
  return inst;
}

const zoneJson = (ctx: RouteContext, zone: string) => ({
  kind: "compute#zone",
  id: String(2000 + ctx.state.zones.indexOf(zone)),
  name: zone,
  description: zone,
  status: "UP",
  region: regionUrl(ctx.state.project, ctx.state.region),
  selfLink: zoneUrl(ctx.state.project, zone),
});

function machineTypesJson(ctx: RouteContext, zone: string) {
  return [...(ctx.state.machineTypes.get(zone)?.values() ?? [])].map((t, i) => ({
    kind: "compute#machineType",
    id: String(9000 + i),
    name: t.name,
    description: `${t.guestCpus} vCPUs, ${t.memoryMb / 1024} GB RAM`,
    guestCpus: t.guestCpus,
    memoryMb: t.memoryMb,
    isSharedCpu: t.isSharedCpu,
    architecture: t.arch,
    zone,
    selfLink: `${zoneUrl(ctx.state.project, zone)}/machineTypes/${t.name}`,
  }));
}

function imageJson(ctx: RouteContext, name: string, family?: string) {
  const img = family ? newestInFamily(ctx.state, family) : ctx.state.images.find((i) => i.name === name);
  if (!img) throw notFound(`projects/${IMAGE_PROJECT}/global/images/${family ? `family/${family}` : name}`);
  return {
    kind: "compute#image",
    id: img.id,
    creationTimestamp: img.created,
    name: img.name,
    family: img.family,
    architecture: img.arch,
    status: "READY",
    diskSizeGb: "10",
    selfLink: `${projectUrl(IMAGE_PROJECT)}/global/images/${img.name}`,
    ...(img.deprecated ? { deprecated: { state: "DEPRECATED" } } : {}),
  };
}

function firewallJson(ctx: RouteContext, name: string) {
  const fw = ctx.state.firewalls.get(name);
  if (!fw) throw notFound(`projects/${ctx.state.project}/global/firewalls/${name}`);
  return {
    priority: 1000,
    direction: "INGRESS",
    disabled: false,
    ...fw.body,
    kind: "compute#firewall",
    id: fw.id,
    creationTimestamp: fw.created,
    name: fw.name,
    network: `${projectUrl(ctx.state.project)}/global/networks/${ctx.state.network}`,
    selfLink: `${projectUrl(ctx.state.project)}/global/firewalls/${fw.name}`,
  };
}

function zonalOperation(ctx: RouteContext, zone: string, name: string, operationType: string, doneInMs: number) {
  const inst = instanceOf(ctx, zone, name);
  return createOperation(ctx.state, {
    zone,
    operationType,
    targetLink: `${zoneUrl(ctx.state.project, zone)}/instances/${name}`,
    targetId: inst.id,
    doneMs: Date.now() + doneInMs,
  });
}

function findOperation(ctx: RouteContext, name: string, zone?: string) {
  const op = ctx.state.operations.get(name);
  if (!op || op.zone !== zone) {
    throw notFound(`projects/${ctx.state.project}/${zone ? `zones/${zone}` : "global"}/operations/${name}`);
  }
  return op;
}

/** operations.wait returns when the operation is DONE or close to the API's 2-minute deadline. */
async function waitOperation(ctx: RouteContext, name: string, zone?: string) {
  const op = findOperation(ctx, name, zone);
  const deadline = Date.now() + 120_000;
  // Timers may fire a millisecond early against Date.now(): loop until the operation is really DONE.
  while (Date.now() < Math.min(op.doneMs, deadline)) await sleep(Math.min(op.doneMs, deadline) - Date.now() + 1);
  return operationJson(ctx.state, op);
}

function aggregated(
  ctx: RouteContext,
  kind: string,
  key: "instances" | "disks",
  resources: { zone: string; json: Reply }[],
) {
  const filter = parseFilter(ctx.query.get("filter"));
  const pageOf = page(
    resources.filter((r) => matches(r.json, filter)),
    ctx.query,
  );
  const items: Record<string, unknown> = {};
  for (const zone of ctx.state.zones) {
    const inZone = pageOf.items.filter((r) => r.zone === zone).map((r) => r.json);
    items[`zones/${zone}`] = inZone.length
      ? { [key]: inZone }
      : {
          warning: {
            code: "NO_RESULTS_ON_PAGE",
            message: `There are no results for scope 'zones/${zone}' on this page.`,
            data: [{ key: "scope", value: `zones/${zone}` }],
          },
        };
  }
  const selfLink = `${projectUrl(ctx.state.project)}/aggregated/${key}`;
  return {
    kind,
    id: selfLink,
    items,
    selfLink,
    ...(pageOf.nextPageToken ? { nextPageToken: pageOf.nextPageToken } : {}),
  };
}

const liveInstances = (ctx: RouteContext) =>
  [...ctx.state.instances.values()].filter((i) => instanceStatus(i, ctx.transitionMs) !== "GONE");

export const ROUTES: Route[] = [
  {
    method: "GET",
    pattern: new RegExp(`^${P}/zones$`),
    action: "compute.zones.list",
    mutating: false,
    handle: (ctx) =>
      listed(
        ctx,
        "compute#zoneList",
        `${projectUrl(ctx.state.project)}/zones`,
        ctx.state.zones.map((z) => zoneJson(ctx, z)),
      ),
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/zones/([^/]+)$`),
    action: "compute.zones.get",
    mutating: false,
    handle: (ctx, [, zone]) => zoneJson(ctx, zoneOf(ctx, zone)),
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/regions/([^/]+)$`),
    action: "compute.regions.get",
    mutating: false,
    handle: (ctx, [, region]) => {
      if (region !== ctx.state.region) throw notFound(`projects/${ctx.state.project}/regions/${region}`);
      return {
        kind: "compute#region",
        name: region,
        status: "UP",
        zones: ctx.state.zones.map((z) => zoneUrl(ctx.state.project, z)),
        quotas: regionQuotas(ctx.state, liveInstances(ctx), ctx.transitionMs),
        selfLink: regionUrl(ctx.state.project, region),
      };
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/zones/([^/]+)/machineTypes$`),
    action: "compute.machineTypes.list",
    mutating: false,
    handle: (ctx, [, zone]) =>
      listed(
        ctx,
        "compute#machineTypeList",
        `${zoneUrl(ctx.state.project, zone)}/machineTypes`,
        machineTypesJson(ctx, zoneOf(ctx, zone)),
      ),
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/zones/([^/]+)/machineTypes/([^/]+)$`),
    action: "compute.machineTypes.get",
    mutating: false,
    handle: (ctx, [, zone, type]) => {
      const found = machineTypesJson(ctx, zoneOf(ctx, zone)).find((t) => t.name === type);
      if (!found) throw notFound(`projects/${ctx.state.project}/zones/${zone}/machineTypes/${type}`);
      return found;
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/global/images/family/([^/]+)$`),
    action: "compute.images.getFromFamily",
    mutating: false,
    handle: (ctx, [project, family]) => {
      if (project !== IMAGE_PROJECT) throw notFound(`projects/${project}/global/images/family/${family}`);
      return imageJson(ctx, "", family);
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/global/images/([^/]+)$`),
    action: "compute.images.get",
    mutating: false,
    handle: (ctx, [project, name]) => {
      if (project !== IMAGE_PROJECT) throw notFound(`projects/${project}/global/images/${name}`);
      return imageJson(ctx, name);
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/global/networks/([^/]+)$`),
    action: "compute.networks.get",
    mutating: false,
    handle: (ctx, [, name]) => {
      if (name !== ctx.state.network) throw notFound(`projects/${ctx.state.project}/global/networks/${name}`);
      return {
        kind: "compute#network",
        id: "5000",
        name,
        autoCreateSubnetworks: true,
        selfLink: `${projectUrl(ctx.state.project)}/global/networks/${name}`,
      };
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/regions/([^/]+)/subnetworks/([^/]+)$`),
    action: "compute.subnetworks.get",
    mutating: false,
    handle: (ctx, [, region, name]) => {
      const { state } = ctx;
      if (region !== state.region || name !== state.subnetwork.name)
        throw notFound(`projects/${state.project}/regions/${region}/subnetworks/${name}`);
      return {
        kind: "compute#subnetwork",
        id: "5001",
        name,
        region: regionUrl(state.project, region),
        ipCidrRange: state.subnetwork.cidr,
        gatewayAddress: state.subnetwork.cidr.replace(/0\/\d+$/, "1"),
        network: `${projectUrl(state.project)}/global/networks/${state.network}`,
        selfLink: `${regionUrl(state.project, region)}/subnetworks/${name}`,
      };
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/global/firewalls$`),
    action: "compute.firewalls.list",
    mutating: false,
    handle: (ctx) =>
      listed(
        ctx,
        "compute#firewallList",
        `${projectUrl(ctx.state.project)}/global/firewalls`,
        [...ctx.state.firewalls.keys()].map((n) => firewallJson(ctx, n)),
      ),
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/global/firewalls/([^/]+)$`),
    action: "compute.firewalls.get",
    mutating: false,
    handle: (ctx, [, name]) => firewallJson(ctx, name),
  },
  {
    method: "POST",
    pattern: new RegExp(`^${P}/global/firewalls$`),
    action: "compute.firewalls.insert",
    mutating: true,
    handle: (ctx) => {
      const { state, body } = ctx;
      const prior = replayed(state, ctx.query.get("requestId"));
      if (prior) return operationJson(state, prior);
      const name = String(body?.name ?? "");
      if (!NAME_RE.test(name))
        throw invalid(
          `Invalid value for field 'resource.name': '${name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`,
        );
      if (state.firewalls.has(name))
        throw new ApiError(
          409,
          `The resource 'projects/${state.project}/global/firewalls/${name}' already exists`,
          "alreadyExists",
        );
      if (lastSegment(String(body.network ?? "default")) !== state.network)
        throw invalid(
          `Invalid value for field 'resource.network': '${body.network}'. The referenced network resource cannot be found.`,
        );
      if (!body.allowed?.length && !body.denied?.length)
        throw invalid("Invalid value for field 'resource.allowed': ''. Must specify at least one rule.");
      const id = newId(state);
      state.firewalls.set(name, { id, name, created: new Date().toISOString(), body });
      const op = createOperation(
        state,
        {
          operationType: "insert",
          targetLink: `${projectUrl(state.project)}/global/firewalls/${name}`,
          targetId: id,
          doneMs: Date.now() + ctx.transitionMs / 4,
        },
        ctx.query.get("requestId"),
      );
      return operationJson(state, op);
    },
  },
  // firewalls.patch: "PATCH semantics and uses the JSON merge patch format and processing rules" — fields sent
  // replace the stored ones (lists whole), null removes one; name cannot change.
  // https://cloud.google.com/compute/docs/reference/rest/v1/firewalls/patch
  {
    method: "PATCH",
    pattern: new RegExp(`^${P}/global/firewalls/([^/]+)$`),
    action: "compute.firewalls.patch",
    mutating: true,
    handle: (ctx, [, name]) => {
      const { state, body } = ctx;
      const prior = replayed(state, ctx.query.get("requestId"));
      if (prior) return operationJson(state, prior);
      const fw = state.firewalls.get(name);
      if (!fw) throw notFound(`projects/${state.project}/global/firewalls/${name}`);
      if (body?.name !== undefined && body.name !== name)
        throw invalid(
          `Invalid value for field 'resource.name': '${body.name}'. Cannot change the name of a firewall rule.`,
        );
      const merged: Record<string, unknown> = { ...fw.body };
      for (const [key, value] of Object.entries(body ?? {})) {
        if (value === null) delete merged[key];
        else merged[key] = value;
      }
      if (!(merged.allowed as unknown[] | undefined)?.length && !(merged.denied as unknown[] | undefined)?.length)
        throw invalid("Invalid value for field 'resource.allowed': ''. Must specify at least one rule.");
      fw.body = merged;
      const op = createOperation(
        state,
        {
          operationType: "patch",
          targetLink: `${projectUrl(state.project)}/global/firewalls/${name}`,
          targetId: fw.id,
          doneMs: Date.now() + ctx.transitionMs / 4,
        },
        ctx.query.get("requestId"),
      );
      return operationJson(state, op);
    },
  },
  {
    method: "DELETE",
    pattern: new RegExp(`^${P}/global/firewalls/([^/]+)$`),
    action: "compute.firewalls.delete",
    mutating: true,
    handle: (ctx, [, name]) => {
      const fw = ctx.state.firewalls.get(name);
      if (!fw) throw notFound(`projects/${ctx.state.project}/global/firewalls/${name}`);
      ctx.state.firewalls.delete(name);
      const op = createOperation(ctx.state, {
        operationType: "delete",
        targetLink: `${projectUrl(ctx.state.project)}/global/firewalls/${name}`,
        targetId: fw.id,
        doneMs: Date.now() + ctx.transitionMs / 4,
      });
      return operationJson(ctx.state, op);
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/zones/([^/]+)/instances$`),
    action: "compute.instances.list",
    mutating: false,
    handle: (ctx, [, zone]) =>
      listed(
        ctx,
        "compute#instanceList",
        `${zoneUrl(ctx.state.project, zone)}/instances`,
        liveInstances(ctx)
          .filter((i) => i.zone === zoneOf(ctx, zone))
          .map((i) => instanceJson(ctx.state, i, ctx.transitionMs)),
      ),
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/aggregated/instances$`),
    action: "compute.instances.aggregatedList",
    mutating: false,
    handle: (ctx) =>
      aggregated(
        ctx,
        "compute#instanceAggregatedList",
        "instances",
        liveInstances(ctx).map((i) => ({ zone: i.zone, json: instanceJson(ctx.state, i, ctx.transitionMs) })),
      ),
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/zones/([^/]+)/instances/([^/]+)$`),
    action: "compute.instances.get",
    mutating: false,
    handle: (ctx, [, zone, name]) => instanceJson(ctx.state, instanceOf(ctx, zone, name), ctx.transitionMs),
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/zones/([^/]+)/instances/([^/]+)/serialPort$`),
    action: "compute.instances.getSerialPortOutput",
    mutating: false,
    handle: (ctx, [, zone, name]) => serialPortOutput(ctx, instanceOf(ctx, zone, name), zone),
  },
  {
    method: "POST",
    pattern: new RegExp(`^${P}/zones/([^/]+)/instances$`),
    action: "compute.instances.insert",
    mutating: true,
    handle: (ctx, [, zone]) =>
      operationJson(ctx.state, insertInstance(ctx, zoneOf(ctx, zone), ctx.body, ctx.query.get("requestId"))),
  },
  {
    method: "POST",
    pattern: new RegExp(`^${P}/zones/([^/]+)/instances/bulkInsert$`),
    action: "compute.instances.bulkInsert",
    mutating: true,
    handle: (ctx, [, zone]) =>
      operationJson(ctx.state, bulkInsertInstances(ctx, zoneOf(ctx, zone), ctx.body, ctx.query.get("requestId"))),
  },
  {
    method: "POST",
    pattern: new RegExp(`^${P}/zones/([^/]+)/instances/([^/]+)/start$`),
    action: "compute.instances.start",
    mutating: true,
    handle: (ctx, [, zone, name]) => {
      const inst = instanceOf(ctx, zone, name);
      const status = instanceStatus(inst, ctx.transitionMs);
      if (status === "STOPPING")
        throw new ApiError(
          400,
          `The resource 'projects/${ctx.state.project}/zones/${zone}/instances/${name}' is not ready`,
          "resourceNotReady",
        );
      if (status === "TERMINATED") {
        startInstance(inst, ctx.publicIps);
        // A started VM can take its time to run again, or not get there (a zone out of capacity for it).
        const stuck = ctx.faults.take("stuck-pending", "compute.instances.start", {
          zone,
          instanceType: inst.machineType.name,
        });
        if (stuck) inst.holdUntilMs = stuck.holdMs !== undefined ? Date.now() + stuck.holdMs : Infinity;
      }
      return operationJson(
        ctx.state,
        zonalOperation(ctx, zone, name, "start", status === "TERMINATED" ? ctx.transitionMs / 2 : 0),
      );
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^${P}/zones/([^/]+)/instances/([^/]+)/stop$`),
    action: "compute.instances.stop",
    mutating: true,
    handle: (ctx, [, zone, name]) => {
      const inst = instanceOf(ctx, zone, name);
      const running = inst.phase === "run";
      if (running) stopInstance(inst, "stop");
      return operationJson(ctx.state, zonalOperation(ctx, zone, name, "stop", running ? ctx.transitionMs : 0));
    },
  },
  // https://cloud.google.com/compute/docs/reference/rest/v1/instances/setMetadata: the whole item list, guarded by
  // the fingerprint of the list it replaces (412 conditionNotMet when another write came first).
  {
    method: "POST",
    pattern: new RegExp(`^${P}/zones/([^/]+)/instances/([^/]+)/setMetadata$`),
    action: "compute.instances.setMetadata",
    mutating: true,
    handle: (ctx, [, zone, name]) => {
      const inst = instanceOf(ctx, zone, name);
      if (ctx.body?.fingerprint !== metadataFingerprint(inst)) {
        throw new ApiError(412, "Supplied fingerprint does not match current metadata fingerprint.", "conditionNotMet");
      }
      inst.metadataItems = (ctx.body.items ?? []).map((i: { key: string; value?: string }) => ({
        key: i.key,
        value: i.value,
      }));
      return operationJson(ctx.state, zonalOperation(ctx, zone, name, "setMetadata", ctx.transitionMs / 4));
    },
  },
  {
    method: "DELETE",
    pattern: new RegExp(`^${P}/zones/([^/]+)/instances/([^/]+)$`),
    action: "compute.instances.delete",
    mutating: true,
    handle: (ctx, [, zone, name]) => {
      const inst = instanceOf(ctx, zone, name);
      const op = zonalOperation(
        ctx,
        zone,
        name,
        "delete",
        inst.phase === "delete" ? inst.phaseMs + ctx.transitionMs - Date.now() : ctx.transitionMs,
      );
      if (inst.phase !== "delete") stopInstance(inst, "delete");
      return operationJson(ctx.state, op);
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/zones/([^/]+)/disks$`),
    action: "compute.disks.list",
    mutating: false,
    handle: (ctx, [, zone]) =>
      listed(
        ctx,
        "compute#diskList",
        `${zoneUrl(ctx.state.project, zone)}/disks`,
        liveInstances(ctx)
          .filter((i) => i.zone === zoneOf(ctx, zone))
          .map((i) => bootDiskJson(ctx.state, i)),
      ),
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/aggregated/disks$`),
    action: "compute.disks.aggregatedList",
    mutating: false,
    handle: (ctx) =>
      aggregated(
        ctx,
        "compute#diskAggregatedList",
        "disks",
        liveInstances(ctx).map((i) => ({ zone: i.zone, json: bootDiskJson(ctx.state, i) })),
      ),
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/zones/([^/]+)/operations/([^/]+)$`),
    action: "compute.zoneOperations.get",
    mutating: false,
    handle: (ctx, [, zone, name]) => operationJson(ctx.state, findOperation(ctx, name, zone)),
  },
  {
    method: "POST",
    pattern: new RegExp(`^${P}/zones/([^/]+)/operations/([^/]+)/wait$`),
    action: "compute.zoneOperations.wait",
    mutating: false,
    handle: (ctx, [, zone, name]) => waitOperation(ctx, name, zone),
  },
  {
    method: "GET",
    pattern: new RegExp(`^${P}/global/operations/([^/]+)$`),
    action: "compute.globalOperations.get",
    mutating: false,
    handle: (ctx, [, name]) => operationJson(ctx.state, findOperation(ctx, name)),
  },
  {
    method: "POST",
    pattern: new RegExp(`^${P}/global/operations/([^/]+)/wait$`),
    action: "compute.globalOperations.wait",
    mutating: false,
    handle: (ctx, [, name]) => waitOperation(ctx, name),
  },
];
