// One `up` of a cluster at a time on this machine: a lock file (proper-lockfile: an atomic mkdir, refreshed while
// held, stale once its holder stops refreshing it) next to the cluster's folder. A second `up` waits a bounded time
// (CLOUDLAUNCH_LOCK_WAIT_MS, default 120 s), then stops with a message. The lock lives as long as the process:
// proper-lockfile releases it on exit, also when the command fails.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { lock } from "proper-lockfile";
import type { Settings } from "./settings.js";
import { LocalStateError } from "./errors.js";

// proper-lockfile's default: a killed run (SIGKILL skips the exit hook) blocks the next one for at most this long.
const STALE_MS = 10_000;

export async function lockCluster(
  name: string,
  say: (message: string) => void,
  settings: Pick<Settings, "home" | "lockWaitMs">,
): Promise<() => Promise<void>> {
  const clusters = join(settings.home, "clusters");
  // Locks `<clusters>/<name>` (which need not exist yet) through the file `<clusters>/<name>.lock`.
  const clusterDir = join(clusters, name);
  const lockfilePath = `${clusterDir}.lock`;
  const waitMs = settings.lockWaitMs;
  const options = (retries: number) => ({
    realpath: false,
    stale: STALE_MS,
    retries: { retries, factor: 1, minTimeout: 500, maxTimeout: 500 },
    // Only if this process stalled longer than STALE_MS: another run may have taken over; say so, do not crash.
    onCompromised: (err: Error) =>
      say(`warning: the lock ${lockfilePath} was lost (${err.message}); another up of ${name} may be running`),
  });
  try {
    mkdirSync(clusters, { recursive: true, mode: 0o700 });
    try {
      return await lock(clusterDir, options(0));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ELOCKED") throw err;
      say(
        `another up of ${name} is running on this machine; waiting up to ${Math.round(waitMs / 1000)} s for it (lock ${lockfilePath})`,
      );
      return await lock(clusterDir, options(Math.max(0, Math.ceil(waitMs / 500))));
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ELOCKED") {
      throw new LocalStateError(
        `Another up of cluster ${name} is still running on this machine (lock ${lockfilePath}). Let it finish, then run up ` +
          `again; if no cloudlaunch process is running, the lock goes stale by itself within ${STALE_MS / 1000} s.`,
      );
    }
    throw new LocalStateError(
      `Cannot create the lock ${lockfilePath}: ${code ?? (err as Error).message}. Make ${clusters} writable, or set CLOUDLAUNCH_HOME.`,
    );
  }
}
