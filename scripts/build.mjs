#!/usr/bin/env node
// Bundles the CLI into dist/cli.js. One minified file loads far faster than hundreds of CommonJS files; modules
// reached through `await import()` stay lazily initialised inside the bundle. Cloud SDKs stay external, so they are
// read from node_modules only when a command needs that cloud. Type checking is tsc's job (npm run typecheck).
import { build } from "esbuild";
import { rmSync } from "node:fs";

const SDKS = ["@aws-sdk/*", "@smithy/*", "@google-cloud/*", "google-gax", "google-auth-library", "@azure/*"];
const common = { bundle: true, platform: "node", target: "node20", format: "cjs", minify: true, sourcemap: "linked", logLevel: "warning" };

rmSync("dist", { recursive: true, force: true });
await build({ ...common, entryPoints: ["src/cli.ts"], outfile: "dist/cli.js", external: SDKS });
if (process.argv.includes("--fakes")) {
  // The fakes and the cloud benchmark run from plain JS; the fakes load SDK-free code only, so nothing is external
  // but the SDKs the fake tests never need.
  await build({ ...common, minify: false, sourcemap: false, entryPoints: ["test/fakes/cli.ts"], outfile: "dist-test/fake-cloud.js", external: SDKS });
  await build({ ...common, minify: false, sourcemap: false, entryPoints: ["bench/cloud.ts"], outfile: "dist-test/bench-cloud.js", external: SDKS });
}
