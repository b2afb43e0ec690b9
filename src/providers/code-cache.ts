// V8's code cache for the driver bundles, which are mostly SDK (0.2–1.9 MB each): compiling them is a large part
// of a `status` (measured: requiring the Azure driver 280 → 190 ms of CPU with a cache). Node's own cache from 22.1
// (module.enableCompileCache); on Node 20 the bundles in dist/ are compiled here with the cached data V8 produced on
// an earlier run. Such a script has no loader for import() (Node 20 offers none that survives the cache), so the
// build turns the bundles' import() into require() (scripts/build.mjs). Switched on when a command first loads a
// driver, so `--help` and an offline dry run read no cache; only in the built CLI (scripts/build.mjs defines the
// variable), never under the test runner's module system. NODE_DISABLE_COMPILE_CACHE turns both off, as Node documents
// (both read into Settings.codeCache).
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as nodeModule from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import * as vm from "node:vm";

type Compile = (this: nodeModule, content: string, filename: string) => unknown;
const Module = nodeModule.Module as unknown as { prototype: { _compile: Compile }; wrap(s: string): string };

let enabled = false;

export function enableCodeCache(): void {
  if (enabled) return;
  enabled = true;
  const native = (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache;
  if (native) native();
  else cacheBundlesIn(__dirname);
}

function cacheBundlesIn(dist: string) {
  const dir = join(tmpdir(), `cloudlaunch-code-cache-${process.getuid?.() ?? "user"}`, process.version);
  const pending: { file: string; script: vm.Script }[] = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    // Only the bundles (caching node_modules as well measured no gain); one with import() compiles as usual.
    if (dirname(filename) !== dist || content.includes("import(")) return compile.call(this, content, filename);
    const { size, mtimeMs } = statSync(filename);
    const file = join(dir, `${basename(filename)}-${size}-${Math.floor(mtimeMs)}.v8`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) pending.push({ file, script });
    const run = script.runInThisContext() as (...args: unknown[]) => unknown;
    const require = nodeModule.createRequire(filename);
    return run.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };
  // Written at exit, so the cache holds the functions this run compiled, not only the top level.
  process.once("exit", () => {
    for (const { file, script } of pending) {
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, script.createCachedData());
      } catch {
        // a read-only or full temporary directory: the next run compiles again
      }
    }
  });
}
