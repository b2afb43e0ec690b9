// V8's code cache for the driver bundles, which are mostly SDK (0.2–1.9 MB each): compiling them is a large part
// of a `status` (measured: requiring the Azure driver 280 → 190 ms of CPU with the cache). Node's own cache from
// 22.1 (module.enableCompileCache), the v8-compile-cache require hook before that. Switched on when a command first
// loads a driver, so `--help` and an offline dry run read no cache; only in the built CLI (scripts/build.mjs defines
// the variable), never under the test runner's module system. NODE_DISABLE_COMPILE_CACHE / DISABLE_V8_COMPILE_CACHE
// turn it off as documented by Node and by v8-compile-cache.
import * as nodeModule from "node:module";

let enabled = false;

export function enableCodeCache(): void {
  if (enabled || process.env.CLOUDLAUNCH_CODE_CACHE !== "bundle") return;
  enabled = true;
  const native = (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache;
  if (native) native();
  else require("v8-compile-cache");
}
