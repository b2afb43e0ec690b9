// Errors keep their kind across the build's bundles (each has its own copy of src/errors.ts), and a cloud driver
// never rewraps the user's own error as its cloud's.
import { errorKind, exitCodeFor, PlanError, SpecError, UsageError, CloudError } from "../../src/errors";
import { toCloudError as awsError } from "../../src/providers/aws/errors";
import { toCloudError as gcpError } from "../../src/providers/gcp/errors";
import { toCloudError as azureError } from "../../src/providers/azure/errors";

/** A second copy of the module, as another bundle holds it. */
function otherBundle(): typeof import("../../src/errors") {
  let copy: typeof import("../../src/errors") | undefined;
  jest.isolateModules(() => {
    copy = require("../../src/errors");
  });
  return copy!;
}

describe("error kinds", () => {
  it("are recognised across module copies, where instanceof fails", () => {
    const other = otherBundle();
    const spec = new other.SpecError([{ file: "f", line: 1, column: 1, path: "", message: "m" }]);
    expect(spec instanceof SpecError).toBe(false);
    expect(errorKind(spec)).toBe("SpecError");
    expect(exitCodeFor(spec)).toBe(2);
    expect(exitCodeFor(new other.PlanError("p"))).toBe(2);
    expect(exitCodeFor(new other.UsageError("u"))).toBe(2);
    expect(exitCodeFor(new other.CloudError("c"))).toBe(1);
  });

  it("are not guessed from a name any library's error may carry", () => {
    const lookalike = Object.assign(new Error("x"), { name: "SpecError" });
    expect(exitCodeFor(lookalike)).toBeUndefined();
    expect(exitCodeFor(new Error("bug"))).toBeUndefined();
  });

  it.each([
    ["aws", awsError],
    ["gcp", gcpError],
    ["azure", azureError],
  ])("the %s driver passes user errors through unchanged", (_cloud, wrap) => {
    const other = otherBundle();
    for (const err of [
      new PlanError("user data too big"),
      new other.PlanError("too big"),
      new UsageError("u"),
      new other.SpecError([]),
    ]) {
      expect(wrap(err, "launching")).toBe(err);
    }
    const cloud = new CloudError("quota", "quota");
    expect(wrap(cloud, "launching")).toBe(cloud);
    expect(errorKind(wrap(new Error("socket hang up"), "launching"))).toBe("CloudError");
  });
});
