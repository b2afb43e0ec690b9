// Preloaded into a spawned CLI (node -r): the `up` command module is replaced by one whose promise never settles and
// that holds nothing open — what an SDK waiting on a dropped socket looks like to Node, which then simply exits.
const Module = require("node:module");
const load = Module._load;
Module._load = function (request, ...rest) {
  if (/command-up\.js$/.test(request)) return { up: () => new Promise(() => undefined) };
  return load.call(this, request, ...rest);
};
