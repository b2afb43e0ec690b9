// Azure Resource Graph in the fake: POST /providers/Microsoft.ResourceGraph/resources, answering a KQL query (kql.ts)
// over the Resources table built from the fake's state.
// REST: https://learn.microsoft.com/rest/api/azureresourcegraph/resourcegraph/resources/resources (api-version
// 2024-04-01; body {subscriptions, query, options: {$top, $skip, $skipToken, resultFormat}}; answer {totalRecords,
// count, resultTruncated, $skipToken, data, facets}). Paging: .../resource-graph/concepts/paging-results ($top at
// most 1000; resultTruncated "false" with a $skipToken while more rows remain).
// Columns (id, name, type lower-cased, location, resourceGroup, subscriptionId, tags, zones, properties; a VM's
// power state in properties.extended.instanceView.powerState.code): .../resource-graph/reference/supported-tables-resources
// and the overview's sample queries.
// Freshness: "When an Azure resource is updated, Resource Manager notifies Resource Graph about the change; Resource
// Graph also does regular full scans" (.../resource-graph/overview, How Resource Graph is kept current): the index
// trails Resource Manager. `lagMs` models that: a query answers the state as it was lagMs ago.
// Throttling: a quota per user, e.g. 15 queries in every 5-second window, reported in x-ms-user-quota-remaining and
// x-ms-user-quota-resets-after (hh:mm:ss); over it, 429 RateLimiting (without Retry-After).
// .../resource-graph/concepts/guidance-for-throttled-requests
import { RG_TYPE, type Reply } from "./resources.js";
import { POWER_DISPLAY, VM } from "./compute.js";
import { powerState, provisioningState, type ArmResource, type ArmState } from "./state.js";
import { ArmError } from "./wire.js";
import { KqlError, parseQuery, runQuery, type Row } from "./kql.js";

export const GRAPH_API_VERSIONS = ["2021-03-01", "2022-10-01", "2024-04-01"];
const MAX_TOP = 1000;
const QUOTA = { queries: 15, windowMs: 5000 };
const COLUMNS = ["id", "name", "type", "location", "resourceGroup", "subscriptionId", "tags", "zones", "properties"];

/** What Resource Graph has indexed: Resource Manager's state as it was `lagMs` ago (copies taken as it changes). */
export class GraphIndex {
  private lag = 0;
  private snapshots: { at: number; resources: ArmResource[] }[] = [];
  private quota = { start: 0, used: 0 };

  constructor(
    private readonly state: ArmState,
    private readonly pageSize = MAX_TOP,
  ) {}

  setLag(ms: number, now = Date.now()) {
    this.lag = ms;
    this.snapshots = ms > 0 ? [{ at: now, resources: structuredClone(this.state.all()) }] : [];
  }

  /** Called after every change to Resource Manager's state; copies are kept only while a lag is set. */
  changed(now = Date.now()) {
    if (this.lag <= 0) return;
    this.snapshots.push({ at: now, resources: structuredClone(this.state.all()) });
    // Keep the newest copy the index may still answer from, and every later one.
    const keepFrom = this.newestAsOf(now - this.lag);
    if (keepFrom > 0) this.snapshots = this.snapshots.slice(keepFrom);
  }

  /** The Resources table as the index holds it at `now`. */
  rows(now = Date.now()): Row[] {
    if (this.lag <= 0) return this.state.all().flatMap((r) => toRow(r, now));
    const asOf = now - this.lag;
    const snap = this.snapshots[Math.max(0, this.newestAsOf(asOf))];
    // Before the first copy the index knows nothing older: it answers that copy as it was when taken.
    const at = Math.max(asOf, snap.at);
    return snap.resources.filter((r) => r.deleteAt === undefined || r.deleteAt > at).flatMap((r) => toRow(r, at));
  }

  /** The index of the newest copy taken at or before `t` (-1 when none). */
  private newestAsOf(t: number): number {
    let found = -1;
    this.snapshots.forEach((s, i) => {
      if (s.at <= t) found = i;
    });
    return found;
  }

  /** Counts one query against the caller's quota: the headers every answer carries, or (when enforced) the 429. */
  admit(enforce: boolean, now = Date.now()): Record<string, string> {
    if (now - this.quota.start >= QUOTA.windowMs) this.quota = { start: now, used: 0 };
    const left = QUOTA.queries - this.quota.used;
    const resetsAfter = hhmmss(this.quota.start + QUOTA.windowMs - now);
    if (left <= 0 && enforce) {
      throw new ArmError(
        429,
        "RateLimiting",
        `Please provide below info when asking for support: timestamp = ${new Date(now).toISOString()}, correlationId = ${crypto.randomUUID()}.`,
        { "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": resetsAfter },
        [
          {
            code: "RateLimiting",
            message:
              "Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help.",
          },
        ],
      );
    }
    this.quota.used++;
    return { "x-ms-user-quota-remaining": String(Math.max(0, left - 1)), "x-ms-user-quota-resets-after": resetsAfter };
  }

  /** The Resources POST. */
  query(apiVersion: string, body: any, now = Date.now()): Reply {
    if (!GRAPH_API_VERSIONS.includes(apiVersion))
      throw new ArmError(
        400,
        "InvalidApiVersionParameter",
        `The api-version '${apiVersion}' is invalid. The supported versions are '${GRAPH_API_VERSIONS.join(",")}'.`,
      );
    if (typeof body?.query !== "string") throw badRequest("The query is required.");
    const options = body.options ?? {};
    if (options.resultFormat !== undefined && options.resultFormat !== "objectArray")
      throw badRequest("This fake answers only resultFormat objectArray.");
    const top = options.$top ?? MAX_TOP;
    if (!Number.isInteger(top) || top < 1 || top > MAX_TOP)
      throw badRequest(`The $top option must be between 1 and ${MAX_TOP}.`);
    const subscriptions: string[] | undefined = body.subscriptions;
    let rows: Row[];
    try {
      const scoped = this.rows(now).filter(
        (r) => !subscriptions || subscriptions.some((s) => s.toLowerCase() === String(r.subscriptionId)),
      );
      rows = runQuery(parseQuery(body.query), scoped, COLUMNS);
    } catch (err) {
      if (err instanceof KqlError) throw invalidQuery(err.message);
      throw err;
    }
    const offset = options.$skipToken ? skipTokenOffset(options.$skipToken) : (options.$skip ?? 0);
    const size = Math.min(top, this.pageSize);
    const data = rows.slice(offset, offset + size);
    const more = offset + size < rows.length;
    return {
      status: 200,
      body: {
        totalRecords: rows.length,
        count: data.length,
        resultTruncated: "false",
        ...(more ? { $skipToken: Buffer.from(JSON.stringify({ offset: offset + size })).toString("base64") } : {}),
        data,
        facets: [],
      },
    };
  }
}

function toRow(r: ArmResource, now: number): Row[] {
  if (r.type === RG_TYPE) return []; // resource groups are in the ResourceContainers table
  const properties: Record<string, unknown> = { ...r.properties, provisioningState: provisioningState(r, now) };
  if (r.type === VM) {
    const power = powerState(r, now);
    if (power)
      properties.extended = {
        instanceView: {
          powerState: { code: `PowerState/${power}`, level: "Info", displayStatus: POWER_DISPLAY[power] },
        },
      };
  }
  const [, , subscriptionId] = r.id.split("/");
  return [
    {
      id: r.id,
      name: r.name,
      type: r.type.toLowerCase(),
      location: r.location,
      resourceGroup: r.resourceGroup.toLowerCase(),
      subscriptionId: subscriptionId.toLowerCase(),
      tags: r.tags,
      zones: r.zones ?? null,
      properties,
    },
  ];
}

const hhmmss = (ms: number) => {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, "0")).join(":");
};

function skipTokenOffset(token: string): number {
  try {
    const offset = JSON.parse(Buffer.from(token, "base64").toString()).offset;
    if (Number.isInteger(offset) && offset >= 0) return offset;
  } catch {}
  throw badRequest("The $skipToken is invalid.");
}

const supportMessage = () =>
  `Please provide below info when asking for support: timestamp = ${new Date().toISOString()}, correlationId = ${crypto.randomUUID()}.`;

const badRequest = (message: string) =>
  new ArmError(400, "BadRequest", supportMessage(), {}, [{ code: "BadRequest", message }]);

/** The shape Resource Graph answers a query it cannot parse with (as quoted in Azure/azure-powershell#13762). */
const invalidQuery = (why: string) =>
  new ArmError(400, "BadRequest", supportMessage(), {}, [
    {
      code: "InvalidQuery",
      message:
        "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.",
    },
    { code: "ParserFailure", message: why },
  ]);
