// Server-side filtering and pagination as the Describe* actions do them: filters AND across names, OR across
// values, `*` and `?` wildcards; `MaxResults` (5..1000) with an opaque `NextToken`.
// Reference: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Filtering.html and Query-Requests.html#api-pagination
import { Ec2Error, type Params, str } from "./wire.js";
import type { Tags } from "./world.js";

/** The values an item has for one filter name; undefined when the action has no such filter. */
export type FilterFields<T> = (item: T, name: string) => (string | undefined)[] | undefined;

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "s",
  );

export function tagFields(tags: Tags, name: string): string[] | undefined {
  if (name.startsWith("tag:")) return name.slice(4) in tags ? [tags[name.slice(4)]] : [];
  if (name === "tag-key") return Object.keys(tags);
  if (name === "tag-value") return Object.values(tags);
  return undefined;
}

export function applyFilters<T>(items: Iterable<T>, filters: Map<string, string[]>, fields: FilterFields<T>): T[] {
  const compiled = [...filters].map(([name, values]) => ({ name, patterns: values.map(wildcard) }));
  const out: T[] = [];
  for (const item of items) {
    const keep = compiled.every(({ name, patterns }) => {
      const have = fields(item, name);
      if (have === undefined) throw new Ec2Error("InvalidParameterValue", `The filter '${name}' is invalid`);
      return have.some((v) => v !== undefined && patterns.some((p) => p.test(v)));
    });
    if (keep) out.push(item);
  }
  return out;
}

export function isPaginated(params: Params): boolean {
  return str(params, "MaxResults") !== undefined || str(params, "NextToken") !== undefined;
}

/** One page of `items`; without MaxResults every item is returned, as EC2 does for these actions. */
export function paginate<T>(items: T[], params: Params): { page: T[]; nextToken?: string } {
  const max = str(params, "MaxResults");
  const token = str(params, "NextToken");
  let offset = 0;
  if (token !== undefined) {
    offset = Number(Buffer.from(token, "base64url").toString("utf8").replace(/^o:/, ""));
    if (!Number.isInteger(offset) || offset < 0)
      throw new Ec2Error("InvalidParameterValue", `Invalid NextToken: ${token}`);
  }
  if (max === undefined) return { page: items.slice(offset) };
  const size = Number(max);
  if (!Number.isInteger(size) || size < 5 || size > 1000) {
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
    );
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(`o:${offset + size}`).toString("base64url") : undefined;
  return { page, nextToken: next };
}
