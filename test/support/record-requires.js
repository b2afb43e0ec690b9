// Preloaded into a spawned CLI (node -r): prints, at exit, every cloud SDK file that was loaded — from node_modules,
// or the driver bundles in dist/ that carry a bundled SDK (dist/provider-<cloud>.js, dist/azure-<sdk>.js) and the
// narrowed GCP protos beside them.
process.on("exit", () => {
  const sdk = Object.keys(require.cache).filter(
    (f) =>
      /node_modules\/(@aws-sdk|@smithy|@google-cloud|google-gax|@azure)\//.test(f) ||
      /dist\/(provider|azure)-\w+\.js$|dist\/gcp-protos-/.test(f),
  );
  process.stderr.write(`\nSDK-MODULES-LOADED: ${sdk.length}${sdk.length ? ` (${sdk.slice(0, 3).join(", ")})` : ""}\n`);
});
