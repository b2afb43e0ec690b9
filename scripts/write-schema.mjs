#!/usr/bin/env node
// Writes schema/cluster.schema.json from the TypeBox declarations in src/spec/schema.ts (the one definition).
// test/core/schema-file.test.ts fails when the committed file is stale.
import { build } from "esbuild";
import { writeFileSync, mkdirSync } from "node:fs";

const { outputFiles } = await build({
  entryPoints: ["src/spec/schema.ts"],
  bundle: true,
  platform: "node",
  format: "cjs",
  write: false,
});
const mod = { exports: {} };
new Function("module", "exports", "require", outputFiles[0].text)(
  mod,
  mod.exports,
  (await import("node:module")).createRequire(import.meta.url),
);
mkdirSync("schema", { recursive: true });
writeFileSync("schema/cluster.schema.json", `${JSON.stringify(mod.exports.ClusterSpecSchema, null, 2)}\n`);
console.log("wrote schema/cluster.schema.json");
