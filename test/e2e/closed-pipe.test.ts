// A reader that stops early (`cloudlaunch compare spec.yaml | head -1`, `| true`) closes stdout under the command: that ends
// nothing but the output, never with an EPIPE stack trace.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { cleanHome, ROOT } from "../support/cli.js";

test("a closed stdout pipe is not an error: no stack trace, exit 0", async () => {
  const home = cleanHome();
  const child = spawn(process.execPath, [join(ROOT, "bin", "cloudlaunch"), "compare", "cluster.example.yaml"], {
    cwd: ROOT,
    env: { ...process.env, HOME: home, CLOUDLAUNCH_HOME: join(home, ".cloudlaunch"), NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  // Like `| true`: the reader is gone before the command writes its first row.
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
  expect(code).toBe(0);
});
