// Compute Engine v1 wire details shared by the fake's routes: error bodies, resource URLs, list pages and filters.
// Error shape: https://cloud.google.com/compute/docs/api/handling-errors (the legacy `errors[]` plus gRPC `status`).
import type { ServerResponse } from "node:http";

export const API_ROOT = "https://www.googleapis.com/compute/v1";
export const projectUrl = (project: string) => `${API_ROOT}/projects/${project}`;
export const zoneUrl = (project: string, zone: string) => `${projectUrl(project)}/zones/${zone}`;
export const regionUrl = (project: string, region: string) => `${projectUrl(project)}/regions/${region}`;

/** The last path segment of a resource URL or partial path ("zones/us-central1-a/machineTypes/n2-standard-2"). */
export const lastSegment = (link: string) => link.slice(link.lastIndexOf("/") + 1);

const STATUS_BY_CODE: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason: string,
    readonly domain = "global",
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
  body() {
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [{ message: this.message, domain: this.domain, reason: this.reason, ...this.extra }],
        status: STATUS_BY_CODE[this.code] ?? "UNKNOWN",
      },
    };
  }
}

export const notFound = (what: string) => new ApiError(404, `The resource '${what}' was not found`, "notFound");
export const invalid = (message: string) => new ApiError(400, message, "invalid");

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=UTF-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Compute's list pages: maxResults defaults to (and is capped at) 500; the token is opaque to clients. */
export function page<T>(items: T[], query: URLSearchParams): { items: T[]; nextPageToken?: string } {
  const max = Math.min(Number(query.get("maxResults") ?? 500) || 500, 500);
  const token = query.get("pageToken");
  const start = token ? Number(Buffer.from(token, "base64url").toString("utf8")) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid(`Invalid value for field 'pageToken': '${token}'.`);
  const slice = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(String(start + max)).toString("base64url") : undefined;
  return next ? { items: slice, nextPageToken: next } : { items: slice };
}

type Clause = { path: string[]; op: "=" | "!=" | ":"; value: string };

/**
 * The subset of the list `filter` grammar the drivers use: clauses `field op value` joined by AND (or juxtaposed),
 * optionally parenthesized, with op `=`, `!=` or `:` (`:*` = has the field). Anything else is refused as the API does.
 */
export function parseFilter(filter: string | null): Clause[] {
  if (!filter?.trim()) return [];
  const clauses: Clause[] = [];
  const re = /\s*\(?\s*([A-Za-z][\w.-]*)\s*(!=|=|:)\s*("(?:[^"\\]|\\.)*"|[^\s()]+)\s*\)?\s*(?:AND\s+)?/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(filter))) {
    const raw = m[3].startsWith('"') ? JSON.parse(m[3]) : m[3];
    clauses.push({ path: m[1].split("."), op: m[2] as Clause["op"], value: raw });
    consumed = re.lastIndex;
    if (consumed >= filter.length) break;
  }
  if (consumed < filter.length || clauses.length === 0) {
    throw invalid(`Invalid value for field 'filter': '${filter}'. Invalid list filter expression.`);
  }
  return clauses;
}

function lookup(resource: unknown, path: string[]): unknown {
  let v: unknown = resource;
  for (const p of path) v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

export function matches(resource: unknown, clauses: Clause[]): boolean {
  return clauses.every(({ path, op, value }) => {
    const v = lookup(resource, path);
    const s = v === undefined || v === null ? undefined : String(v);
    if (op === ":") return value === "*" ? s !== undefined : s?.includes(value);
    if (op === "=") return s === value;
    return s !== value;
  });
}
