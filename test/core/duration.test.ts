// One parser for every duration: the spec's max_lifetime and idle_timeout, and --wait-timeout.
import { parseWaitTimeout } from "../../src/apply/wait-dask.js";
import { PlanError, UsageError } from "../../src/errors.js";
import { parseDuration, specDurationSeconds } from "../../src/spec/duration.js";

test("parseDuration reads a number and a unit, a bare number as seconds, only the units allowed", () => {
  expect(["90s", "15m", "1.5h", "2d", " 45 "].map((t) => parseDuration(t))).toEqual([90, 900, 5400, 172_800, 45]);
  expect(parseDuration("2d", "smh")).toBeUndefined();
  expect(parseDuration("30", "mhd")).toBeUndefined();
  expect(["soon", "8 hours", "-1m", "", "1e3s"].map((t) => parseDuration(t))).toEqual([
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
});

test("spec durations are seconds, at least a minute, and errors name the field", () => {
  expect(["30m", "8h", "2d"].map((t) => specDurationSeconds("max_lifetime", t))).toEqual([1800, 28_800, 172_800]);
  expect(() => specDurationSeconds("max_lifetime", "0m")).toThrow(new PlanError("max_lifetime must be at least 1m"));
  expect(() => specDurationSeconds("idle_timeout", "0h")).toThrow(new PlanError("idle_timeout must be at least 1m"));
  expect(() => specDurationSeconds("idle_timeout", "8 hours")).toThrow(/^idle_timeout "8 hours" is not a number/);
});

test("--wait-timeout takes s, m and h (not d) and says where a bad value came from", () => {
  expect(parseWaitTimeout("1.5h", "x")).toBe(5_400_000);
  expect(() => parseWaitTimeout("1d", "--wait-timeout")).toThrow(UsageError);
});
