// ARM wire details shared by the fake's routes: the error body, list pages with nextLink, $filter on tags, and the
// headers of a long-running operation.
// Errors: https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors
// Async operations: https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations
import type { ServerResponse } from "node:http";
import type { ArmState, Operation } from "./state.js";

/** An ARM error answered as `{error: {code, message, details}}` with its HTTP status. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details: { code: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export const notFound = (id: string) => {
  const type = id.split("/").slice(-2, -1)[0] ?? "resource";
  return new ArmError(404, "ResourceNotFound", `The Resource '${id}' under resource group was not found (${type}).`);
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "x-ms-request-id": Math.random().toString(16).slice(2),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ArmError) {
  sendJson(res, err.status, { error: { code: err.code, message: err.message, details: err.details } }, err.headers);
}

/** One page of `items` and a nextLink ($skiptoken) pointing back at the same URL when more remain. */
export function page<T, R = T>(
  items: T[],
  url: URL,
  baseUrl: string,
  pageSize: number,
  render: (item: T) => R = (item) => item as unknown as R,
): { value: R[]; nextLink?: string } {
  const start = Number(url.searchParams.get("$skiptoken") ?? "0") || 0;
  // Only the page's items are rendered: a 1000-VM listing is 10+ pages, each of which would otherwise render all.
  const value = items.slice(start, start + pageSize).map(render);
  if (start + pageSize >= items.length) return { value };
  const next = new URL(url.pathname + url.search, baseUrl);
  next.searchParams.set("$skiptoken", String(start + pageSize));
  return { value, nextLink: next.toString() };
}

/**
 * The $filter forms ARM documents for generic resource lists: `tagName eq 'k' and tagValue eq 'v'`, `tagName eq 'k'`,
 * `resourceType eq 'Microsoft.X/y'`, `location eq 'x'`. Anything else is a 400, as ARM answers.
 */
export function parseFilter(filter: string | null): {
  tagName?: string;
  tagValue?: string;
  resourceType?: string;
  location?: string;
} {
  if (!filter) return {};
  const out: Record<string, string> = {};
  for (const clause of filter.split(/\s+and\s+/i)) {
    const m = /^\s*(tagName|tagValue|resourceType|location)\s+eq\s+'([^']*)'\s*$/i.exec(clause);
    if (!m)
      throw new ArmError(
        400,
        "InvalidFilterInQueryString",
        `Invalid $filter '${filter}' specified in the query string.`,
      );
    const key = m[1].toLowerCase();
    out[
      key === "tagname"
        ? "tagName"
        : key === "tagvalue"
          ? "tagValue"
          : key === "resourcetype"
            ? "resourceType"
            : "location"
    ] = m[2];
  }
  return out;
}

export function matchesTags(tags: Record<string, string>, f: { tagName?: string; tagValue?: string }): boolean {
  if (!f.tagName) return true;
  const key = Object.keys(tags).find((k) => k.toLowerCase() === f.tagName!.toLowerCase());
  if (key === undefined) return false;
  return f.tagValue === undefined || tags[key] === f.tagValue;
}

/**
 * Headers of an accepted long-running operation: Azure-AsyncOperation reports the status, Location answers 202 until
 * done. Retry-After 0 keeps the SDK on its configured polling interval instead of ARM's usual seconds.
 */
export function asyncHeaders(state: ArmState, op: Operation, baseUrl: string, namespace: string, apiVersion: string) {
  const root = `${baseUrl}/subscriptions/${state.subscription}/providers/${namespace}/locations/${state.location}`;
  return {
    "azure-asyncoperation": `${root}/operations/${op.id}?api-version=${apiVersion}`,
    location: `${root}/operationResults/${op.id}?api-version=${apiVersion}`,
    "retry-after": "0",
  };
}

export function operationStatus(op: Operation, now = Date.now()) {
  const done = now >= op.doneAt;
  const status = !done ? "InProgress" : op.error ? "Failed" : "Succeeded";
  return {
    name: op.id,
    status,
    startTime: new Date(op.startedAt).toISOString(),
    ...(done ? { endTime: new Date(op.doneAt).toISOString() } : {}),
    ...(done && op.error ? { error: op.error } : {}),
  };
}
