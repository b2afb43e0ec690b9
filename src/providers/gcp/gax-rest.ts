// What the bundled Compute client modules take from google-gax, REST only. The build points their
// `require("google-gax")` here (scripts/build.mjs): the clients already run on google-gax's `fallback` (HTTP/1.1 +
// JSON) transport, which is what Compute speaks, so the gRPC half of google-gax (@grpc/grpc-js and ~80 modules)
// need not be loaded. The error path's decoder comes from the full module, on first use.
import { createRequire } from "node:module";

const gaxRequire = createRequire(require.resolve("google-gax"));

export const fallback = require("google-gax/fallback");
// google-gax's own copy, whatever npm hoisted: the clients create their logger with it at load.
export const loggingUtils = gaxRequire("google-logging-utils");

export function decodeAnyProtosInArray(...args: unknown[]): unknown {
  return require("google-gax").decodeAnyProtosInArray(...args);
}
