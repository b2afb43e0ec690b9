// Compute's requestId must be a UUID; ours are name-based (RFC 9562 version 5), so a retry or a re-run of the same
// launch attempt sends the same one and a new attempt (another generation) a new one.
import { validate, version } from "uuid";
import { requestIdFor } from "../../src/providers/gcp/resources.js";

test("requestIds are version-5 UUIDs of their parts: equal for equal parts, different otherwise", () => {
  const id = requestIdFor("c1", "c1-worker-1", "0");
  expect(validate(id)).toBe(true);
  expect(version(id)).toBe(5);
  expect(requestIdFor("c1", "c1-worker-1", "0")).toBe(id);
  expect(requestIdFor("c1", "c1-worker-1", "1")).not.toBe(id);
  // Parts are joined with NUL: shifting text between parts is another name.
  expect(requestIdFor("c1", "c1-worker-10")).not.toBe(requestIdFor("c1-", "c1-worker-10".slice(1)));
});
