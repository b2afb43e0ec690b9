// The fake Resource Manager's front door: bearer-token check, injected faults, latency, the call log, and the
// dispatch of ARM paths to resource groups, Microsoft.Network, Microsoft.Compute and operation polling.
import type { IncomingMessage, ServerResponse } from "node:http";
import { logCall, sleep, type FaultBox } from "../common.js";
import type { FakeCall } from "../harness.js";
import type { ArmState } from "./state.js";
import { ArmError, operationStatus, sendError, sendJson } from "./wire.js";
import {
  deleteGroup,
  groupView,
  listGroupResources,
  putGroup,
  requireGroup,
  rgId,
  type Ctx,
  type Reply,
} from "./resources.js";
import { handleNetwork } from "./network.js";
import { handleCompute, listAllVms, listSkus, VM } from "./compute.js";
import { serveBootDiagnosticsBlob } from "./boot-diagnostics.js";
import { computePolicy, type ArmRateLimits } from "./rate-limits.js";
import { computeUsages, networkUsages } from "./usages.js";
import { retailPrices } from "./retail-prices.js";
import type { GraphIndex } from "./resource-graph.js";

export interface RouterOptions {
  state: ArmState;
  token: () => string;
  baseUrl: () => string;
  faults: FaultBox;
  calls: FakeCall[];
  latencyMs: () => number;
  transitionMs: number;
  pageSize: number;
  /** ARM's and Compute's request throttling; none when absent. */
  rateLimits?: ArmRateLimits;
  /** Azure Resource Graph's index of the state (resource-graph.ts). */
  graph: GraphIndex;
}

export function createRouter(o: RouterOptions) {
  return async (req: IncomingMessage, res: ServerResponse, rawBody: string) => {
    const url = new URL(req.url ?? "/", o.baseUrl());
    const method = (req.method ?? "GET").toUpperCase();
    const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const action = actionName(method, segments);
    const mutating = ["PUT", "POST", "DELETE", "PATCH"].includes(method);
    let remaining: Record<string, string> = {};
    // Blob reads carry a SAS in the query, not the ARM bearer token.
    if (method === "GET" && segments[0] === "bootdiagnostics") {
      logCall(o.calls, "bootDiagnostics.blob.get", false, 200, false);
      return serveBootDiagnosticsBlob(
        url,
        o.state.all().filter((r) => r.type === VM),
        o.state.consoles,
        res,
      );
    }
    const answer = async (status: number, send: () => void, throttled = false) => {
      await sleep(o.latencyMs());
      logCall(o.calls, action, mutating, status, throttled);
      send();
    };
    try {
      // The Retail Prices API is public: no token.
      if (method === "GET" && url.pathname === "/api/retail/prices") {
        const reply = retailPrices(o.state, url);
        return await answer(reply.status, () => sendJson(res, reply.status, reply.body, {}));
      }
      if (req.headers.authorization !== `Bearer ${o.token()}`) {
        throw new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.", {
          "www-authenticate":
            'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token is invalid."',
        });
      }
      if (o.faults.take("drop", action)) {
        logCall(o.calls, action, mutating, 0);
        req.socket.destroy();
        return;
      }
      if (o.faults.take("throttle", action)) {
        const err = new ArmError(
          429,
          "TooManyRequests",
          `The request is being throttled as the limit has been reached for operation type - ${mutating ? "Write" : "Read"}.`,
          { "retry-after": "1" },
        );
        return await answer(429, () => sendError(res, err), true);
      }
      // Resource Graph has its own per-user quota (resource-graph.ts), not Resource Manager's buckets.
      if (action === "resourceGraph.resources") {
        let quota: Record<string, string> = {};
        try {
          quota = o.graph.admit(!!o.rateLimits);
          const reply = o.graph.query(url.searchParams.get("api-version") ?? "", rawBody ? JSON.parse(rawBody) : {});
          return await answer(reply.status, () => sendJson(res, reply.status, reply.body, quota));
        } catch (err) {
          if (!(err instanceof ArmError)) throw err;
          Object.assign(err.headers, quota);
          return await answer(err.status, () => sendError(res, err), err.status === 429);
        }
      }
      if (o.rateLimits) {
        try {
          remaining = o.rateLimits.admit({ method, computePolicy: computePolicyOf(o, action, segments) });
        } catch (err) {
          if (!(err instanceof ArmError)) throw err;
          return await answer(429, () => sendError(res, err), true);
        }
      }
      if (o.faults.take("server-error", action))
        throw new ArmError(
          500,
          "InternalServerError",
          "Encountered internal server error. Diagnostic information: timestamp, tracking id.",
        );
      const apiVersion = url.searchParams.get("api-version");
      if (!apiVersion)
        throw new ArmError(
          400,
          "MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests.",
        );
      const body = rawBody ? JSON.parse(rawBody) : undefined;
      const ctx: Ctx = {
        state: o.state,
        baseUrl: o.baseUrl(),
        url,
        apiVersion,
        transitionMs: o.transitionMs,
        pageSize: o.pageSize,
        faults: o.faults,
      };
      const reply = route(ctx, method, segments, body);
      if (mutating) o.graph.changed();
      await answer(reply.status, () => sendJson(res, reply.status, reply.body, { ...remaining, ...reply.headers }));
    } catch (err) {
      if (!(err instanceof ArmError)) throw err;
      Object.assign(err.headers, remaining);
      await answer(err.status, () => sendError(res, err));
    }
  };
}

function computePolicyOf(o: RouterOptions, action: string, s: string[]): string | undefined {
  const lower = s.map((x) => x.toLowerCase());
  const computeOperation = lower[2] === "providers" && lower[3] === "microsoft.compute" && lower[4] === "locations";
  const vmExists =
    action === "virtualMachines.createOrUpdate" &&
    !!o.state.get(`/subscriptions/${s[1]}/resourceGroups/${s[3]}/providers/${s[5]}/${s[6]}/${s[7]}`);
  return computePolicy(action, vmExists, computeOperation);
}

/** The call log's action name: "virtualMachines.createOrUpdate", "resourceGroups.get", "operations.get"... */
export function actionName(method: string, s: string[]): string {
  const lower = s.map((x) => x.toLowerCase());
  if (lower[0] === "api" && lower[1] === "retail") return "retailPrices.list";
  if (lower[0] === "providers" && lower[1] === "microsoft.resourcegraph" && lower[2] === "resources")
    return "resourceGraph.resources";
  if (lower[2] === "resourcegroups" && s.length <= 4) {
    if (s.length === 3) return "resourceGroups.list";
    return `resourceGroups.${{ GET: "get", PUT: "createOrUpdate", DELETE: "delete", HEAD: "checkExistence" }[method] ?? method}`;
  }
  if (lower[2] === "resourcegroups" && lower[4] === "resources") return "resources.listByResourceGroup";
  if (lower[2] === "providers" && lower[4] === "locations" && lower[6] === "usages") {
    return lower[3] === "microsoft.network" ? "networkUsages.list" : "usage.list";
  }
  if (lower[2] === "providers" && lower[4] === "locations") return `${s[6]}.get`; // operations / operationResults polling
  if (lower[2] === "providers") return lower[4] === "skus" ? "resourceSkus.list" : `${s[4]}.listAll`;
  const type = s[6] ?? "unknown";
  const verb = { GET: "get", PUT: "createOrUpdate", DELETE: "delete", PATCH: "update" }[method] ?? method;
  if (s.length <= 7) return `${type}.list`;
  if (s.length === 8) return `${type}.${verb}`;
  if (s.length === 9) return `${type}.${s[8]}`; // start, deallocate, instanceView...
  return `${s[8]}.${verb}`; // child resources: subnets
}

function route(ctx: Ctx, method: string, s: string[], body: any): Reply {
  const lower = s.map((x) => x.toLowerCase());
  if (lower[0] !== "subscriptions" || !s[1])
    throw new ArmError(404, "InvalidRequestUri", "The request URI is not an ARM path.");
  if (lower[1] !== ctx.state.subscription.toLowerCase())
    throw new ArmError(404, "SubscriptionNotFound", `The subscription '${s[1]}' could not be found.`);
  if (lower[2] === "providers" && lower[4] === "locations" && lower[6] === "usages" && s.length === 7) {
    if (lower[5] !== ctx.state.location.toLowerCase())
      throw new ArmError(404, "LocationNotAvailableForResourceType", `The location '${s[5]}' is not available.`);
    if (lower[3] === "microsoft.compute") return computeUsages(ctx.state);
    if (lower[3] === "microsoft.network") return networkUsages(ctx.state);
  }
  if (lower[2] === "providers" && lower[4] === "locations" && s[7]) return pollOperation(ctx, lower[6], s[7]);
  if (lower[2] === "providers" && lower[3] === "microsoft.compute" && lower[4] === "virtualmachines" && s.length === 5)
    return listAllVms(ctx);
  if (lower[2] === "providers" && lower[3] === "microsoft.compute" && lower[4] === "skus" && s.length === 5)
    return listSkus(ctx);
  if (lower[2] !== "resourcegroups")
    throw new ArmError(404, "InvalidRequestUri", `No route for /${s.join("/")} in this fake.`);
  const rg = s[3];
  if (!rg) {
    const groups = ctx.state
      .all()
      .filter((r) => r.type === "Microsoft.Resources/resourceGroups")
      .map(groupView);
    return { status: 200, body: { value: groups } };
  }
  if (s.length === 4) {
    if (method === "PUT") return putGroup(ctx, rg, body);
    if (method === "DELETE") return deleteGroup(ctx, rg);
    const group = ctx.state.get(rgId(ctx.state, rg));
    if (method === "HEAD") return { status: group ? 204 : 404 };
    return { status: 200, body: groupView(requireGroup(ctx, rg)) };
  }
  if (lower[4] === "resources" && s.length === 5) return listGroupResources(ctx, rg);
  if (lower[4] !== "providers" || !s[6])
    throw new ArmError(404, "InvalidRequestUri", `No route for /${s.join("/")} in this fake.`);
  const [ns, type, name, child, childName] = [lower[5], s[6], s[7], s[8], s[9]];
  if (ns === "microsoft.network") return handleNetwork(ctx, { rg, type, name, child, childName, method, body });
  if (ns === "microsoft.compute") return handleCompute(ctx, { rg, type, name, action: child, method, body });
  throw new ArmError(
    400,
    "NoRegisteredProviderFound",
    `No registered resource provider found for namespace '${s[5]}'.`,
  );
}

/** Azure-AsyncOperation answers the status document; Location answers 202 until done, then 200 (or the error). */
function pollOperation(ctx: Ctx, kind: string, id: string): Reply {
  const op = ctx.state.operations.get(id);
  if (!op) throw new ArmError(404, "OperationNotFound", `The operation '${id}' was not found.`);
  if (kind === "operations") return { status: 200, body: operationStatus(op) };
  if (Date.now() < op.doneAt) return { status: 202, headers: { location: ctx.url.toString(), "retry-after": "0" } };
  if (op.error) throw new ArmError(409, op.error.code, op.error.message);
  return { status: 200 };
}
