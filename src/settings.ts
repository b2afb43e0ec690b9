// Everything a run is tuned by outside the spec: read from the environment once, by settingsFrom, in the command
// layer, and passed down. Below the commands nothing reads process.env (test/core/settings.test.ts checks), so a
// test hands the drivers its own settings instead of changing the process's environment.
import { homedir } from "node:os";
import { join } from "node:path";

export type Environment = Readonly<Record<string, string | undefined>>;

export interface Settings {
  /**
   * The environment for what reads its own variables: the SDKs' credential chains and endpoints, and cloudlaunch's
   * endpoint/token overrides (CLOUDLAUNCH_GCP_ENDPOINT, CLOUDLAUNCH_AZURE_ACCESS_TOKEN, ...).
   */
  env: Environment;
  /** Per-user state: CLOUDLAUNCH_HOME, else $XDG_CONFIG_HOME/cloudlaunch, else ~/.config/cloudlaunch. */
  home: string;
  /** CLOUDLAUNCH_CATALOG_DIR: another price catalog than the bundled one. */
  catalogDir?: string;
  /** CLOUDLAUNCH_SKIP_QUOTA_CHECK: preflight does not compare the plan with the account's quotas. */
  skipQuotaCheck: boolean;
  /** CLOUDLAUNCH_LOCK_WAIT_MS: how long `up` waits for another `up` of the same cluster. */
  lockWaitMs: number;
  /** CLOUDLAUNCH_PENDING_WAIT_S / _POLL_MS: how long nodes an earlier run left pending may take to settle. */
  pending: { waitMs: number; pollMs: number };
  dask: {
    /** CLOUDLAUNCH_DASK_PROBE=0: never contact the Dask dashboard (the fake clouds' VMs run no Dask). */
    probe: boolean;
    /** CLOUDLAUNCH_WAIT_TIMEOUT as written (parsed by `up`, where a bad value is a usage error). */
    waitTimeout?: string;
    /** CLOUDLAUNCH_WAIT_POLL_MS, CLOUDLAUNCH_WAIT_CONSOLE_CHECK_MS: the wait's own defaults when unset. */
    pollMs?: number;
    checkConsolesEveryMs?: number;
  };
  aws: {
    /** CLOUDLAUNCH_AWS_POLL_MS / _WAIT_S: lifecycle changes are polled this often, this long. */
    wait: { pollMs: number; timeoutMs: number };
    /** AWS_MAX_ATTEMPTS: unset leaves each client its own default. */
    maxAttempts?: number;
  };
  /** CLOUDLAUNCH_GCP_WAIT_S: bound of a wait for an operation or for instances to run. */
  gcp: { waitMs: number };
  azure: {
    /** CLOUDLAUNCH_AZURE_WAIT_S: bound of a wait for VMs to reach a state. */
    waitMs: number;
    /** CLOUDLAUNCH_AZURE_POLL_INTERVAL_MS: long-running operation polling. */
    pollIntervalMs: number;
    /** CLOUDLAUNCH_AZURE_CONCURRENCY: concurrent VM calls. */
    concurrency: number;
  };
  /**
   * NODE_EXTRA_CA_CERTS when it names another file than the one this process loaded at start-up (an environment
   * handed over by a test or an embedding program): a driver gives it to its endpoint override's agent.
   */
  extraCaFile?: string;
  /** In the built CLI, unless NODE_DISABLE_COMPILE_CACHE: see code-cache.ts. */
  codeCache: boolean;
}

/** What spec validation reads of the settings: the catalog, and AZURE_SUBSCRIPTION_ID of the environment. */
export type SpecContext = Partial<Pick<Settings, "env" | "catalogDir">>;

const positive = (v: string | undefined) => (v && Number(v) > 0 ? Number(v) : undefined);
/** Like `Number(x) || fallback`, the rule every variable here has always followed: 0, empty or junk is the default. */
const numberOr = (text: string | undefined, fallback: number): number => Number(text) || fallback;

export function cloudlaunchHome(env: Environment): string {
  if (env.CLOUDLAUNCH_HOME) return env.CLOUDLAUNCH_HOME;
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(configHome, "cloudlaunch");
}

/** The one reading of the environment; `overrides` replace parts of the result (tests). */
export function settingsFrom(env: Environment, overrides: Partial<Settings> = {}): Settings {
  return {
    env,
    home: cloudlaunchHome(env),
    catalogDir: env.CLOUDLAUNCH_CATALOG_DIR,
    skipQuotaCheck: !!env.CLOUDLAUNCH_SKIP_QUOTA_CHECK,
    lockWaitMs: Number(env.CLOUDLAUNCH_LOCK_WAIT_MS ?? 120_000),
    pending: {
      waitMs: numberOr(env.CLOUDLAUNCH_PENDING_WAIT_S, 600) * 1000,
      pollMs: numberOr(env.CLOUDLAUNCH_PENDING_POLL_MS, 3000),
    },
    dask: {
      probe: env.CLOUDLAUNCH_DASK_PROBE !== "0",
      waitTimeout: env.CLOUDLAUNCH_WAIT_TIMEOUT,
      pollMs: Number(env.CLOUDLAUNCH_WAIT_POLL_MS) || undefined,
      checkConsolesEveryMs: Number(env.CLOUDLAUNCH_WAIT_CONSOLE_CHECK_MS) || undefined,
    },
    aws: {
      wait: {
        pollMs: numberOr(env.CLOUDLAUNCH_AWS_POLL_MS, 3000),
        timeoutMs: numberOr(env.CLOUDLAUNCH_AWS_WAIT_S, 900) * 1000,
      },
      maxAttempts: Number(env.AWS_MAX_ATTEMPTS) || undefined,
    },
    gcp: { waitMs: numberOr(env.CLOUDLAUNCH_GCP_WAIT_S, 900) * 1000 },
    azure: {
      waitMs: numberOr(env.CLOUDLAUNCH_AZURE_WAIT_S, 900) * 1000,
      pollIntervalMs: positive(env.CLOUDLAUNCH_AZURE_POLL_INTERVAL_MS) ?? 2000,
      concurrency: positive(env.CLOUDLAUNCH_AZURE_CONCURRENCY) ?? 32,
    },
    // The one comparison with the process's own environment: which CA file Node itself read when it started.
    extraCaFile: env.NODE_EXTRA_CA_CERTS !== process.env.NODE_EXTRA_CA_CERTS ? env.NODE_EXTRA_CA_CERTS : undefined,
    // Written as process.env.…: scripts/build.mjs replaces that expression with "bundle" in the built CLI only.
    codeCache: process.env.CLOUDLAUNCH_CODE_CACHE === "bundle" && !env.NODE_DISABLE_COMPILE_CACHE,
    ...overrides,
  };
}
