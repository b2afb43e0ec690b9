#!/usr/bin/env node
// npm run bench: startup overhead, then (when built) the cloud benchmarks against the fakes.
import { existsSync } from "node:fs";
import { startupBench } from "../bench/startup.mjs";

console.log(`cloudlaunch benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
console.log("Startup (median of interleaved runs; ratio = time / node -e 0):");
console.table(startupBench());
if (existsSync("dist-test/bench-cloud.js") && !process.argv.includes("--startup-only")) {
  await import("../dist-test/bench-cloud.js");
}
