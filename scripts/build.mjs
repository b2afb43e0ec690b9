#!/usr/bin/env node
// Bundles the CLI for fast start-up. Every module the code loads with a lazy require() at a boundary (the
// command modules, each cloud driver, the TLS store) becomes its own minified bundle in dist/, so `--help` parses
// commander and little else, and a command parses only what it runs. Bundles share no state: errors cross them by
// name (src/errors.ts). The AWS and Azure SDKs are bundled from their ES modules (measured: AWS status 0.41 → 0.38 s,
// Azure status of 1000 nodes 1.12 → 0.9 s). Of the GCP SDK only the Compute client modules the driver requires are
// bundled, with their protos narrowed to those services (scripts/gcp-protos.mjs); google-gax stays in node_modules
// (bundled, protobufjs loses its optional Long support: int64 fields fail to encode). google-auth-library is bundled
// once, with the discovery client (src/providers/gcp/sdk-discovery.ts), which every GCP command loads.
// Type checking is tsc's job (npm run typecheck).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { checkNarrowed, clientsInBundle, narrowProtos, protosFileOf } from "./gcp-protos.mjs";

const { build } = await import("esbuild").catch(() => {
  console.error(
    "cloudlaunch build: esbuild is missing — install the dev dependencies first: npm ci (then npm install -g .)",
  );
  process.exit(1);
});

const LAZY = {
  "src/commands/up.ts": "command-up.js",
  "src/commands/status.ts": "command-status.js",
  "src/commands/compare.ts": "command-compare.js",
  "src/commands/lifecycle.ts": "command-lifecycle.js",
  "src/commands/logs.ts": "command-logs.js",
  "src/commands/ssh.ts": "command-ssh.js",
  "src/providers/aws/index.ts": "provider-aws.js",
  "src/providers/aws/service-quotas.ts": "aws-quotas.js",
  "src/providers/gcp/index.ts": "provider-gcp.js",
  "src/providers/gcp/sdk-discovery.ts": "gcp-discovery.js",
  "src/providers/azure/index.ts": "provider-azure.js",
  "src/providers/azure/sdk-compute.ts": "azure-compute.js",
  "src/providers/azure/sdk-network.ts": "azure-network.js",
  "src/bootstrap/tls.ts": "tls.js",
};
const byPath = new Map(Object.entries(LAZY).map(([src, out]) => [resolve(src), out]));
// @azure/identity (with MSAL) is required only when no static token is given: it stays out of the bundle.
const EXTERNAL_SDKS = ["google-gax", "@azure/identity"];
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  sourcemap: "linked",
  logLevel: "warning",
  // src/providers/code-cache.ts: V8's code cache only in the built CLI.
  define: { "process.env.CLOUDLAUNCH_CODE_CACHE": '"bundle"' },
  // ...which compiles the bundles without an import() loader: the SDKs' import() of node builtins become require().
  supported: { "dynamic-import": false },
};

const lazyBoundaries = {
  name: "lazy-boundaries",
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== "require-call" && args.kind !== "dynamic-import") return undefined;
      const out = byPath.get(resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts")));
      return out ? { path: `./${out}`, external: true } : undefined;
    });
  },
};

// Each Compute client's `require("../../protos/protos.json")` is pointed at its own narrowed copy beside the bundle.
const gcpProtos = {
  name: "gcp-protos",
  setup(b) {
    b.onResolve({ filter: /\/protos\/protos\.json$/ }, (args) => {
      const file = protosFileOf(args.importer);
      return file ? { path: `./${file}`, external: true } : undefined;
    });
    // ...and their google-gax at its REST half (src/providers/gcp/gax-rest.ts).
    const gaxRest = resolve("src/providers/gcp/gax-rest.ts");
    b.onResolve({ filter: /^google-gax$/ }, (args) => (protosFileOf(args.importer) ? { path: gaxRest } : undefined));
  },
};

rmSync("dist", { recursive: true, force: true });
const entries = [["src/cli.ts", "cli.js"], ...Object.entries(LAZY)];
const results = await Promise.all(
  entries.map(([src, out]) =>
    build({
      ...common,
      entryPoints: [src],
      outfile: `dist/${out}`,
      plugins: [lazyBoundaries, gcpProtos],
      external: EXTERNAL_SDKS,
      mainFields: ["module", "main"],
      metafile: true,
    }),
  ),
);
const computeProtos = JSON.parse(readFileSync("node_modules/@google-cloud/compute/build/protos/protos.json", "utf8"));
for (const { metafile } of results) {
  for (const { file, services } of clientsInBundle(metafile)) {
    const narrowed = narrowProtos(computeProtos, services);
    checkNarrowed(narrowed, services);
    writeFileSync(`dist/${file}`, JSON.stringify(narrowed));
  }
}
if (process.argv.includes("--fakes")) {
  // The fakes and the cloud benchmark run from plain JS; the fakes themselves import no SDK.
  const plain = { ...common, minify: false, sourcemap: false, external: [...EXTERNAL_SDKS, "@aws-sdk/*", "@smithy/*"] };
  await build({ ...plain, entryPoints: ["test/fakes/cli.ts"], outfile: "dist-test/fake-cloud.js" });
  await build({ ...plain, entryPoints: ["bench/cloud.ts"], outfile: "dist-test/bench-cloud.js" });
}
