// Preloaded into a spawned CLI (node -r): prints, at exit, every file it loaded from node_modules (none, when what a
// command needs is all in its bundles in dist/).
process.on("exit", () => {
  const files = Object.keys(require.cache).filter((f) => f.includes("/node_modules/"));
  process.stderr.write(`\nNODE-MODULES-LOADED: ${JSON.stringify(files)}\n`);
});
