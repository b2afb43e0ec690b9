// Preloaded into a spawned CLI (node -r): prints, at exit, every cloud SDK file that was loaded.
process.on("exit", () => {
  const sdk = Object.keys(require.cache).filter((f) => /node_modules\/(@aws-sdk|@smithy|@google-cloud|google-gax|@azure)\//.test(f));
  process.stderr.write(`\nSDK-MODULES-LOADED: ${sdk.length}\n`);
});
