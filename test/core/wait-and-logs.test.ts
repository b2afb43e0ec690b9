// The small rules around waiting for Dask and reading boot logs: durations, last lines, where a bootstrap stopped,
// what a client needs.
import { lastBootstrapStep, lastLines } from "../../src/apply/console-log";
import { parseWaitTimeout } from "../../src/apply/wait-dask";
import { clientContract, clientContractText } from "../../src/bootstrap/client-contract";
import { resolved } from "../support/spec.js";

test("wait timeouts: seconds, minutes, hours, 0 for no wait; anything else is a usage error naming its source", () => {
  expect(parseWaitTimeout("90s", "--wait-timeout")).toBe(90_000);
  expect(parseWaitTimeout("15m", "x")).toBe(900_000);
  expect(parseWaitTimeout("1.5h", "x")).toBe(5_400_000);
  expect(parseWaitTimeout("45", "x")).toBe(45_000);
  expect(parseWaitTimeout("0", "x")).toBe(0);
  expect(() => parseWaitTimeout("soon", "CLOUDLAUNCH_WAIT_TIMEOUT")).toThrow(
    expect.objectContaining({ name: "UsageError", message: expect.stringMatching(/^CLOUDLAUNCH_WAIT_TIMEOUT: /) }),
  );
});

test("last lines of a console log: CRLF, a trailing newline or a half-written last line", () => {
  expect(lastLines("a\r\nb\r\nc\r\n", 2)).toEqual(["b", "c"]);
  expect(lastLines("a\nb\nhalf", 2)).toEqual(["b", "half"]);
  expect(lastLines("a\nb\n", 0)).toEqual(["a", "b"]);
  expect(lastLines("", 5)).toEqual([]);
});

test("where the bootstrap stopped: the failure line wins over later noise, else the last step", () => {
  const failed =
    "cloudlaunch: installing dask 1\ncloudlaunch: bootstrap failed at installing dask 1: pip exited 1\n[ 9.1] reboot: Power down\n";
  expect(lastBootstrapStep(failed)).toBe("cloudlaunch: bootstrap failed at installing dask 1: pip exited 1");
  expect(lastBootstrapStep("[ 1.0] cloud-init[9]: cloudlaunch: creating the venv\nlogin:")).toMatch(
    /creating the venv$/,
  );
  expect(lastBootstrapStep("[ 0.0] Linux version 6.8\n")).toBeUndefined();
});

test("the client contract: the image's Python and the pinned Dask", () => {
  expect(clientContract(resolved({ image: "ubuntu-22.04", dask: { version: "2024.8.0" } }))).toEqual({
    image: "ubuntu-22.04",
    python: "3.10",
    dask: "2024.8.0",
  });
  const custom = clientContract(resolved({ image: "ami-0123456789abcdef0" }));
  expect(custom.python).toBeUndefined();
  expect(clientContractText(custom)).toMatch(
    /^Your client needs: the Python minor version of image ami-0123456789abcdef0/,
  );
  expect(clientContractText(clientContract(resolved({})))).toMatch(/Python 3\.12\.x, dask==\S+ and distributed==\S+/);
});
