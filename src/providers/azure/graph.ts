// Azure Resource Graph, for `status` only: one tag-scoped query answers a cluster's VMs with their power states, NICs
// and public IPs, where Resource Manager has power states in bulk only subscription-wide (Virtual Machines - List All
// with statusOnly) and otherwise one instanceView GET per VM. Resource Graph is told of changes by Resource Manager
// and rescans on its own, so it can trail a change by seconds
// (https://learn.microsoft.com/azure/governance/resource-graph/overview, "How Resource Graph is kept current"):
// nothing that decides (up, stop, start, terminate, logs, ssh) reads it. The query is POSTed through the Compute SDK's
// REST-level client (arm-json.ts): the same pipeline, credential and retries, and no extra SDK to load (measured:
// @azure/arm-resourcegraph/api would add ~10 ms of module loading to every status for the same one POST).
// REST: https://learn.microsoft.com/rest/api/azureresourcegraph/resourcegraph/resources/resources
// Paging: https://learn.microsoft.com/azure/governance/resource-graph/concepts/paging-results
// Throttling: https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests
import { type ArmJson, restError } from "./arm-json.js";

const GRAPH_API = "2024-04-01";
/** The largest page Resource Graph answers ($top at most 1000). */
const PAGE = 1000;
/** Resource Graph's quota is per user per window (e.g. 15 queries in 5 s): a status in a loop can meet it. */
const THROTTLED_RETRIES = 2;
const MAX_WAIT_MS = 10_000;

interface GraphPage<T> {
  data?: T[];
  $skipToken?: string;
}

/** Every row a query answers, following $skipToken; a throttled query waits as long as the quota headers say. */
export async function* graphRows<T>(arm: ArmJson, query: string): AsyncGenerator<T> {
  let skipToken: string | undefined;
  let throttled = 0;
  for (;;) {
    const res = await arm.pathUnchecked("/providers/Microsoft.ResourceGraph/resources").post({
      queryParameters: { "api-version": GRAPH_API },
      body: {
        subscriptions: [arm.subscriptionId],
        query,
        options: { $top: PAGE, resultFormat: "objectArray", ...(skipToken ? { $skipToken: skipToken } : {}) },
      },
    });
    // Resource Graph answers 429 without Retry-After, so the SDK's retry policy does not wait for it.
    if (res.status === "429" && throttled++ < THROTTLED_RETRIES) {
      await new Promise((r) => setTimeout(r, quotaResetMs(res.headers["x-ms-user-quota-resets-after"])));
      continue;
    }
    if (res.status !== "200") throw restError(res.status, res.body);
    const page = res.body as GraphPage<T>;
    yield* page.data ?? [];
    if (!page.$skipToken) return;
    skipToken = page.$skipToken;
  }
}

/** x-ms-user-quota-resets-after is hh:mm:ss; a second when absent, never more than MAX_WAIT_MS. */
function quotaResetMs(header: string | undefined): number {
  const m = /^(\d+):(\d+):(\d+)/.exec(header ?? "");
  const ms = m ? ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 1000 : 1000;
  return Math.min(Math.max(ms, 100), MAX_WAIT_MS);
}

/** A KQL string literal. https://learn.microsoft.com/kusto/query/scalar-data-types/string */
export const kqlString = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
