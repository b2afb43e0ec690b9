// Pure parts of the AWS driver: the batch tag that carries node names, batching, and local credential detection.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { hasLocalCredentials } from "../../src/providers/aws/credentials.js";
import { makeBatches, MAX_BATCH } from "../../src/providers/aws/launch.js";
import { decodeBatch, encodeBatch, MAX_TAG_VALUE } from "../../src/providers/aws/tags.js";
import type { LaunchRequest } from "../../src/providers/provider.js";

test("the batch tag compresses runs of worker numbers and decodes back to the same names", () => {
  const names = ["c-worker-001", "c-worker-002", "c-worker-003", "c-worker-007", "c-worker-1000"];
  expect(encodeBatch(names)).toBe("c-worker-:001..003/007/1000");
  expect(decodeBatch(encodeBatch(names))).toEqual(names);
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
  fc.assert(
    fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 30 }), (ns) =>
      expect(decodeBatch(encodeBatch(ns))).toEqual(ns),
    ),
  );
  fc.assert(
    fc.property(name, fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 200 }), (cluster, start, count) => {
      const run = Array.from({ length: count }, (_, i) => `${cluster}-worker-${String(start + i).padStart(3, "0")}`);
      expect(decodeBatch(encodeBatch(run))).toEqual(run);
    }),
  );
});

test("batches share one user data and role, and stay within the tag value limit and MAX_BATCH", () => {
  const req = (name: string, userData = "w"): LaunchRequest => ({
    name,
    role: "worker",
    candidates: [],
    spot: false,
    userData: () => userData,
  });
  const many = Array.from({ length: 250 }, (_, i) =>
    req(`a-very-long-cluster-name-for-testing-${i % 2 ? "x" : "y"}${i}`),
  );
  const batches = makeBatches([...many, req("other", "different")]);
  expect(batches.flatMap((b) => b.requests)).toHaveLength(251);
  expect(
    batches.every(
      (b) => b.requests.length <= MAX_BATCH && encodeBatch(b.requests.map((r) => r.name)).length <= MAX_TAG_VALUE,
    ),
  ).toBe(true);
  expect(batches.find((b) => b.requests.some((r) => r.name === "other"))?.requests).toHaveLength(1);
  const consecutive = Array.from({ length: 1000 }, (_, i) => req(`demo-worker-${String(i + 1).padStart(3, "0")}`));
  expect(makeBatches(consecutive).map((b) => b.requests.length)).toEqual(Array(10).fill(MAX_BATCH));
});

test("local credentials: keys, a profile in the shared files, or nothing (no SDK client, no network)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aws-creds-"));
  const none = {
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
  };
  expect(await hasLocalCredentials(none)).toBe(false);
  expect(await hasLocalCredentials({ ...none, AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "s" })).toBe(true);
  writeFileSync(join(dir, "config"), "[profile work]\nsso_session = corp\n");
  expect(await hasLocalCredentials(none)).toBe(false);
  expect(await hasLocalCredentials({ ...none, AWS_PROFILE: "work" })).toBe(true);
  writeFileSync(join(dir, "credentials"), "[default]\naws_access_key_id = AKIA\n");
  expect(await hasLocalCredentials(none)).toBe(true);
});
