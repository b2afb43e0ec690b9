// node-fetch (src/providers/gcp/sdk-discovery.ts) and its dependencies ship only ES modules, which jest's module
// system (before Node 24.9) cannot require: swc compiles them to CommonJS, as it does the sources.
const ESM_PACKAGES = "node-fetch|fetch-blob|formdata-polyfill|data-uri-to-buffer";

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest"],
    [`/node_modules/(${ESM_PACKAGES})/.+\\.js$`]: ["@swc/jest"],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES})/)`],
  // Sources import "./x.js" (Node ESM-style specifiers); jest resolves them to the .ts files.
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testTimeout: 60000,
  setupFiles: ["<rootDir>/test/support/quiet-sdk.js"],
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
};
