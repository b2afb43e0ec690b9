/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest"] },
  // Sources import "./x.js" (Node ESM-style specifiers); jest resolves them to the .ts files.
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testTimeout: 60000,
  setupFiles: ["<rootDir>/test/support/quiet-sdk.js"],
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
};
