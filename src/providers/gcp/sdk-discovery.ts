// What of Google's SDK every GCP command loads, in a bundle of its own (scripts/build.mjs), so that it compiles from
// V8's code cache (src/providers/code-cache.ts) instead of ~70 modules from node_modules (measured with --cpu-prof:
// most of a `status` of a cluster that does not exist):
// - the discovery-based Compute client (@googleapis/compute, v1 only), through which the commands list nodes (a
//   launch's writes stay on @google-cloud/compute);
// - the credentials every GCP client shares (google-auth-library, which the discovery client also requires);
// - node-fetch, the HTTP client gaxios defaults to on Node, rather than Node's own fetch: on Node 20, fetch's undici
//   has V8 compile its WebAssembly HTTP parser in the background, and Node waits for that before it exits (~150 ms
//   after a command's output).
export { compute_v1 } from "@googleapis/compute/build/v1";
export { GoogleAuth, OAuth2Client } from "google-auth-library";
// An ES module: the build bundles it, and Node ≥ 20.19 (package.json engines) can require() it too.
type NodeFetch = typeof import("node-fetch", { with: { "resolution-mode": "import" }}).default;
export const fetch: NodeFetch = require("node-fetch").default;
