// The EC2 Query protocol on the wire: form-encoded requests with flattened, 1-based list keys
// (`Filter.1.Value.2`, `TagSpecification.1.Tag.1.Key`), XML responses in the 2016-11-15 namespace where every list
// is `<xxxSet><item>…</item></xxxSet>`, and the error document
// `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`.
// Reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html and errors-overview.html.
import { randomUUID } from "node:crypto";

export const EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";

/** A request parameter tree: `Filter.1.Name=x` becomes `{ Filter: [{ Name: "x" }] }`. */
export type Params = { [key: string]: ParamValue };
export type ParamValue = string | Params | ParamValue[] | undefined;

/** An EC2 error answered with its documented code and HTTP status. */
export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function parseQuery(body: string): Params {
  const root: Params = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.split(".");
    let node: Params | ParamValue[] = root;
    path.forEach((segment, i) => {
      const slot = /^\d+$/.test(segment) ? Number(segment) - 1 : segment;
      const container = node as Record<string | number, ParamValue>;
      if (i === path.length - 1) {
        container[slot] = value;
        return;
      }
      container[slot] ??= /^\d+$/.test(path[i + 1]) ? [] : {};
      node = container[slot] as Params | ParamValue[];
    });
  }
  return root;
}

/** The members of a flattened list parameter, in order (EC2 numbers them from 1; gaps are skipped). */
export function list(value: ParamValue): ParamValue[] {
  return Array.isArray(value) ? value.filter((v) => v !== undefined) : [];
}

export function strings(value: ParamValue): string[] {
  return list(value).filter((v): v is string => typeof v === "string");
}

export function structs(value: ParamValue): Params[] {
  return list(value).filter((v): v is Params => typeof v === "object" && !Array.isArray(v));
}

export function str(params: Params, key: string): string | undefined {
  const v = params[key];
  return typeof v === "string" ? v : undefined;
}

export function struct(params: Params, key: string): Params {
  const v = params[key];
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v : {};
}

/** The `Filter.N.Name` / `Filter.N.Value.M` parameters as name → accepted values. */
export function filtersOf(params: Params): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  for (const f of structs(params.Filter)) {
    const name = str(f, "Name");
    if (name) filters.set(name, [...(filters.get(name) ?? []), ...strings(f.Value)]);
  }
  return filters;
}

/** A response value: objects become elements, arrays become `<item>` lists, Dates ISO 8601. */
export type XmlValue = string | number | boolean | Date | undefined | null | XmlValue[] | { [key: string]: XmlValue };

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function element(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return `<${name}>${value.map((v) => element("item", v)).join("")}</${name}>`;
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === "object") {
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => element(k, v))
      .join("")}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function renderResponse(action: string, requestId: string, body: Record<string, XmlValue>): string {
  const inner =
    element("requestId", requestId) +
    Object.entries(body)
      .map(([k, v]) => element(k, v))
      .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}">${inner}</${action}Response>`;
}

export function renderError(code: string, message: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${element("Code", code)}${element("Message", message)}` +
    `</Error></Errors>${element("RequestID", requestId)}</Response>`
  );
}

export const newRequestId = () => randomUUID();

/** The access key id of a SigV4 `Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/ec2/aws4_request, ...`. */
export function accessKeyOf(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? "")?.[1];
}
