// Progress for long cloud operations: an ora spinner on a terminal, plain throttled lines otherwise (CI logs).
import type { Progress } from "../providers/provider.js";
import type { Output } from "./output.js";

export interface ProgressReporter extends Progress {
  done(message?: string): void;
}

export async function startProgress(out: Output, title: string): Promise<ProgressReporter> {
  if (out.interactive && !out.json) {
    const { default: ora } = await import("ora");
    const spinner = ora({ text: title, stream: process.stderr, color: "cyan", isEnabled: true }).start();
    return {
      update: (done, total, what) => void (spinner.text = `${title}: ${done}/${total} ${what}`),
      note: (message) => {
        spinner.clear();
        out.info(message);
        spinner.render();
      },
      done: (message) => (message ? spinner.succeed(message) : spinner.stop()),
    };
  }
  let last = "";
  let lastAt = 0;
  return {
    update(done, total, what) {
      const line = `${title}: ${done}/${total} ${what}`;
      // At most one line every 2 s (and the final one), so a 1000-node launch does not flood the log.
      if (line !== last && (done === total || Date.now() - lastAt > 2000)) {
        out.info(line);
        last = line;
        lastAt = Date.now();
      }
    },
    note: (message) => out.info(message),
    done: (message) => message && out.info(message),
  };
}
