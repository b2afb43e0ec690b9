#!/usr/bin/env node
// Generates data/catalog/ from the price-list snapshot in ../shared/catalog/*.csv.
// One small JSON file per (provider, region) so a plan reads only the rows it needs.
// Usage: node scripts/build-catalog.mjs [path/to/shared/catalog]
import { readFileSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = resolve(process.argv[2] ?? join(root, "..", "shared", "catalog"));
const out = join(root, "data", "catalog");
const PROVIDERS = ["aws", "gcp", "azure"];
const HEADER = "type,vcpus,memory_gib,arch,accelerator,accelerator_count,region,zone,price_hourly,spot_price_hourly";

// Burstable / shared-core types: their vCPU count is nominal, so a vCPU floor does not hold for them
// (see shared/catalog/README.md, "Burstable and shared-core types").
const BURSTABLE = {
  aws: (t) => /^(t1|t2|t3|t3a|t4g)\./.test(t),
  gcp: (t) => ["e2-micro", "e2-small", "e2-medium", "f1-micro", "g1-small"].includes(t),
  azure: (t) => t.startsWith("Standard_B"),
};

function num(s) {
  return s === "" ? null : Number(s);
}

rmSync(out, { recursive: true, force: true });
const index = { source: "shared/catalog (public list prices snapshot, USD/hour)", columns: [], providers: {} };
const COLUMNS = [
  "type",
  "vcpus",
  "memory_gib",
  "arch",
  "accelerator",
  "accelerator_count",
  "burstable",
  "price_hourly",
  "spot_price_hourly",
];
index.columns = COLUMNS;

for (const provider of PROVIDERS) {
  const lines = readFileSync(join(source, `${provider}.csv`), "utf8")
    .trim()
    .split("\n");
  if (lines[0].trim() !== HEADER) throw new Error(`${provider}.csv: unexpected header ${lines[0]}`);
  const byRegion = new Map();
  for (const line of lines.slice(1)) {
    const [type, vcpus, mem, arch, acc, accCount, region, , price, spot] = line.split(",");
    const row = [
      type,
      Number(vcpus),
      Number(mem),
      arch,
      acc || null,
      Number(accCount || 0),
      BURSTABLE[provider](type),
      Number(price),
      num(spot),
    ];
    if (!byRegion.has(region)) byRegion.set(region, new Map());
    // The AWS spot feed lists some sizes twice with the same value; keep one row per type.
    byRegion.get(region).set(type, row);
  }
  mkdirSync(join(out, provider), { recursive: true });
  const regions = [...byRegion.keys()].sort();
  for (const region of regions) {
    const rows = [...byRegion.get(region).values()].sort((a, b) => a[7] - b[7] || a[0].localeCompare(b[0]));
    writeFileSync(join(out, provider, `${region}.json`), `${JSON.stringify({ provider, region, rows })}\n`);
  }
  index.providers[provider] = { regions };
  console.log(`${provider}: ${lines.length - 1} rows, ${regions.length} regions`);
}
writeFileSync(join(out, "index.json"), `${JSON.stringify(index, null, 1)}\n`);
