// Narrows @google-cloud/compute's protos.json (11.7 MB: v1, v1beta and v1small, 4,500 definitions) for each Compute
// client the GCP driver bundle contains, to that client's service. Every client parses that JSON, google-gax hashes
// it, and protobufjs resolves every type in it on the first client construction: most of a GCP `status`. Nothing is
// listed by hand: the clients are the modules esbuild put into the bundle (its metafile), each file's service is the
// one it looks up, so a client added to src/providers/gcp/clients.ts brings its own protos; each narrowed JSON is then
// resolved with protobufjs and checked to hold its service, or the build fails.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const COMPUTE_CLIENT = /node_modules\/@google-cloud\/compute\/build\/src\/(v1\w*)\/(\w+)_client\.js$/;
const SCALARS = new Set([
  "double",
  "float",
  "int32",
  "int64",
  "uint32",
  "uint64",
  "sint32",
  "sint64",
  "fixed32",
  "fixed64",
  "sfixed32",
  "sfixed64",
  "bool",
  "string",
  "bytes",
]);

/** The file name the narrowed protos of a Compute client module get beside the bundle. */
export function protosFileOf(clientModule) {
  const m = COMPUTE_CLIENT.exec(clientModule.replaceAll("\\", "/"));
  return m ? `gcp-protos-${m[1]}-${m[2]}.json` : undefined;
}

/** The Compute client modules in a bundle, each with its protos file name and the services it looks up. */
export function clientsInBundle(metafile) {
  return Object.keys(metafile.inputs)
    .filter((input) => protosFileOf(input))
    .map((input) => {
      const services = [
        ...readFileSync(input, "utf8").matchAll(/lookupService\('(google\.cloud\.compute\.[\w.]+)'\)/g),
      ];
      if (services.length === 0) throw new Error(`gcp protos: no service looked up in ${input}`);
      return { file: protosFileOf(input), services: services.map((m) => m[1]) };
    });
}

/**
 * The protos JSON with each Compute API version cut down to `services` and the definitions they reach (requests,
 * responses, field types, transitively). Whole top-level definitions are kept, nested enums and messages included;
 * everything outside google.cloud.compute (google.api, google.protobuf) is kept as is.
 */
export function narrowProtos(json, services) {
  const compute = json.nested.google.nested.cloud.nested.compute.nested;
  const keep = new Map(Object.keys(compute).map((version) => [version, new Set()]));
  const queue = [];
  const want = (version, name) => {
    if (!keep.get(version).has(name)) {
      keep.get(version).add(name);
      queue.push([version, name]);
    }
  };
  for (const service of services) {
    const [, , , version, name] = service.split(".");
    if (!compute[version]?.nested?.[name]?.methods)
      throw new Error(`gcp protos: service ${service} is not in protos.json`);
    want(version, name);
  }
  while (queue.length) {
    const [version, name] = queue.shift();
    for (const ref of references(compute[version].nested[name])) {
      // Compute's protos name types relative to the version package (`Instance`, `Instance.Status`); a reference to
      // a nested type keeps its top-level parent. Anything else (google.protobuf.*) lies outside and is kept whole.
      const top = ref
        .replace(/^\./, "")
        .replace(new RegExp(`^google\\.cloud\\.compute\\.${version}\\.`), "")
        .split(".")[0];
      if (compute[version].nested[top]) want(version, top);
    }
  }
  const narrowed = structuredClone(json);
  const out = narrowed.nested.google.nested.cloud.nested.compute.nested;
  for (const [version, names] of keep) {
    if (names.size === 0) delete out[version];
    else out[version].nested = Object.fromEntries([...names].sort().map((n) => [n, compute[version].nested[n]]));
  }
  return narrowed;
}

/** Type names a definition refers to: method request/response types, field (and map value) types, nested too. */
function* references(def) {
  for (const m of Object.values(def.methods ?? {})) yield* [m.requestType, m.responseType];
  for (const f of Object.values(def.fields ?? {})) if (!SCALARS.has(f.type)) yield f.type;
  for (const nested of Object.values(def.nested ?? {})) yield* references(nested);
}

/** Fails unless protobufjs (google-gax's own copy) resolves the narrowed JSON and finds every service in it. */
export function checkNarrowed(narrowed, services) {
  const require = createRequire(createRequire(import.meta.url).resolve("google-gax"));
  const { Root } = require("protobufjs");
  const root = Root.fromJSON(narrowed);
  root.resolveAll();
  for (const service of services) root.lookupService(service);
}
