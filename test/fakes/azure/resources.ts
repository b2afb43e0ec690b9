// Generic ARM resource handling shared by the fake's providers: the context handlers run in, the JSON view of a
// resource, and PUT/GET/DELETE/list of resource groups and of the plain tracked resources in them.
import type { FaultBox } from "../common.js";
import { ArmError, asyncHeaders, matchesTags, notFound, page, parseFilter } from "./wire.js";
import { provisioningState, type ArmResource, type ArmState } from "./state.js";

export interface Ctx {
  state: ArmState;
  baseUrl: string;
  url: URL;
  apiVersion: string;
  transitionMs: number;
  pageSize: number;
  faults: FaultBox;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const RG_TYPE = "Microsoft.Resources/resourceGroups";

export const rgId = (state: ArmState, rg: string) => `/subscriptions/${state.subscription}/resourceGroups/${rg}`;

export function requireGroup(ctx: Ctx, rg: string): ArmResource {
  const group = ctx.state.get(rgId(ctx.state, rg));
  if (!group || group.deleteAt !== undefined) {
    throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${rg}' could not be found.`);
  }
  return group;
}

export function view(res: ArmResource, extra: Record<string, unknown> = {}) {
  return {
    id: res.id,
    name: res.name,
    type: res.type,
    location: res.location,
    tags: res.tags,
    ...(res.zones ? { zones: res.zones } : {}),
    ...(res.sku ? { sku: res.sku } : {}),
    properties: { ...res.properties, ...extra, provisioningState: provisioningState(res) },
  };
}

/** Accepted deletion: 202 with the async headers; the resource is swept once the operation is done. */
export function acceptDelete(ctx: Ctx, res: ArmResource, namespace: string): Reply {
  const op = ctx.state.startOperation(ctx.transitionMs);
  res.deleteAt = op.doneAt;
  return { status: 202, headers: asyncHeaders(ctx.state, op, ctx.baseUrl, namespace, ctx.apiVersion) };
}

export function putGroup(ctx: Ctx, rg: string, body: any): Reply {
  const id = rgId(ctx.state, rg);
  const existing = ctx.state.get(id);
  if (existing?.deleteAt !== undefined) {
    throw new ArmError(409, "ResourceGroupBeingDeleted", `The resource group '${rg}' is in deprovisioning state.`);
  }
  if (!body?.location)
    throw new ArmError(400, "LocationRequired", "The location property is required for this definition.");
  const now = Date.now();
  const group: ArmResource = existing ?? {
    id,
    name: rg,
    type: RG_TYPE,
    location: body.location,
    resourceGroup: rg,
    tags: {},
    properties: {},
    createdAt: now,
    readyAt: now,
  };
  group.tags = body.tags ?? group.tags;
  ctx.state.put(group);
  return { status: existing ? 200 : 201, body: groupView(group) };
}

export const groupView = (g: ArmResource) => ({
  id: g.id,
  name: g.name,
  type: g.type,
  location: g.location,
  tags: g.tags,
  properties: { provisioningState: g.deleteAt !== undefined ? "Deleting" : "Succeeded" },
});

/** Deleting a group deletes everything in it; ARM answers 202 with a Location to poll. */
export function deleteGroup(ctx: Ctx, rg: string): Reply {
  const group = requireGroup(ctx, rg);
  const op = ctx.state.startOperation(ctx.transitionMs);
  for (const res of ctx.state.under(group.id)) res.deleteAt = Math.min(res.deleteAt ?? Infinity, op.doneAt);
  group.deleteAt = op.doneAt;
  const { location } = asyncHeaders(ctx.state, op, ctx.baseUrl, "Microsoft.Resources", ctx.apiVersion);
  return { status: 202, headers: { location, "retry-after": "0" } };
}

/** GET .../resourceGroups/{rg}/resources: the generic list, with ARM's tag and type $filter. */
export function listGroupResources(ctx: Ctx, rg: string): Reply {
  const group = requireGroup(ctx, rg);
  const filter = parseFilter(ctx.url.searchParams.get("$filter"));
  const items = ctx.state
    .under(group.id)
    .filter((r) => matchesTags(r.tags, filter))
    .filter((r) => !filter.resourceType || r.type.toLowerCase() === filter.resourceType.toLowerCase());
  // "When you filter by a tag name and value, the tags for each resource are not returned in the results."
  const render = (r: ArmResource) => ({
    id: r.id,
    name: r.name,
    type: r.type,
    location: r.location,
    ...(filter.tagName ? {} : { tags: r.tags }),
    ...(r.zones ? { zones: r.zones } : {}),
  });
  return { status: 200, body: page(items, ctx.url, ctx.baseUrl, ctx.pageSize, render) };
}

export function listOfType(
  ctx: Ctx,
  rg: string,
  type: string,
  render: (r: ArmResource) => unknown = (r) => view(r),
): Reply {
  const group = requireGroup(ctx, rg);
  return { status: 200, body: page(ctx.state.under(group.id, type), ctx.url, ctx.baseUrl, ctx.pageSize, render) };
}

export function getOfType(ctx: Ctx, id: string, type: string): ArmResource {
  const res = ctx.state.get(id);
  if (!res || res.type.toLowerCase() !== type.toLowerCase()) throw notFound(id);
  return res;
}
