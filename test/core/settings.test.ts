// One settings object, read from the environment once by the command layer (src/settings.ts) and passed down:
// nothing else in src/ touches process.env, and the drivers work from the settings they are handed.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { AwsProvider } from "../../src/providers/aws/index";
import { createProvider as gcpProvider } from "../../src/providers/gcp/index";
import { sdkConfig } from "../../src/providers/aws/sdk-config";
import { settingsFrom } from "../../src/settings";
import { startFakeEc2 } from "../fakes/aws/index";
import { startFakeGcp } from "../fakes/gcp/index";

const SRC = join(__dirname, "../../src");
/** The entry that builds the settings, the builder, and the terminal detection of the output (NO_COLOR, CI). */
const ALLOWED = ["cli.ts", "settings.ts", join("render", "output.ts")];

function sources(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

test("process.env is read or written only where the settings are built", () => {
  const found = sources()
    .filter((file) => !ALLOWED.includes(relative(SRC, file)))
    .filter((file) => /process\.env\b/.test(readFileSync(file, "utf8")))
    .map((file) => relative(SRC, file));
  expect(found).toEqual([]);
});

test("every variable keeps its meaning and its default", () => {
  const defaults = settingsFrom({ HOME: "/h" });
  expect(defaults).toMatchObject({
    home: "/h/.config/cloudlaunch",
    skipQuotaCheck: false,
    lockWaitMs: 120_000,
    pending: { waitMs: 600_000, pollMs: 3000 },
    dask: { probe: true, waitTimeout: undefined },
    aws: { wait: { pollMs: 3000, timeoutMs: 900_000 }, maxAttempts: undefined },
    gcp: { waitMs: 900_000 },
    azure: { waitMs: 900_000, pollIntervalMs: 2000, concurrency: 32 },
  });
  const set = settingsFrom({
    CLOUDLAUNCH_HOME: "/state",
    CLOUDLAUNCH_CATALOG_DIR: "/catalog",
    CLOUDLAUNCH_SKIP_QUOTA_CHECK: "1",
    CLOUDLAUNCH_LOCK_WAIT_MS: "5",
    CLOUDLAUNCH_PENDING_WAIT_S: "7",
    CLOUDLAUNCH_PENDING_POLL_MS: "8",
    CLOUDLAUNCH_DASK_PROBE: "0",
    CLOUDLAUNCH_WAIT_TIMEOUT: "90s",
    CLOUDLAUNCH_WAIT_POLL_MS: "9",
    CLOUDLAUNCH_WAIT_CONSOLE_CHECK_MS: "10",
    CLOUDLAUNCH_AWS_POLL_MS: "11",
    CLOUDLAUNCH_AWS_WAIT_S: "12",
    AWS_MAX_ATTEMPTS: "3",
    CLOUDLAUNCH_GCP_WAIT_S: "0.5",
    CLOUDLAUNCH_AZURE_WAIT_S: "13",
    CLOUDLAUNCH_AZURE_POLL_INTERVAL_MS: "14",
    CLOUDLAUNCH_AZURE_CONCURRENCY: "15",
  });
  expect(set).toMatchObject({
    home: "/state",
    catalogDir: "/catalog",
    skipQuotaCheck: true,
    lockWaitMs: 5,
    pending: { waitMs: 7000, pollMs: 8 },
    dask: { probe: false, waitTimeout: "90s", pollMs: 9, checkConsolesEveryMs: 10 },
    aws: { wait: { pollMs: 11, timeoutMs: 12_000 }, maxAttempts: 3 },
    gcp: { waitMs: 500 },
    azure: { waitMs: 13_000, pollIntervalMs: 14, concurrency: 15 },
  });
});

test("the AWS driver takes the SDK's endpoint and key variables from its settings, with the SDK's precedence", () => {
  const keys = { AWS_ACCESS_KEY_ID: "id", AWS_SECRET_ACCESS_KEY: "secret" };
  expect(sdkConfig({ ...keys, AWS_ENDPOINT_URL: "http://a", AWS_ENDPOINT_URL_EC2: "http://ec2" }, "EC2")).toEqual({
    endpoint: "http://ec2",
    credentials: { accessKeyId: "id", secretAccessKey: "secret", sessionToken: undefined },
  });
  expect(sdkConfig({ AWS_ENDPOINT_URL: "http://a" }, "SERVICE_QUOTAS")).toEqual({ endpoint: "http://a" });
  expect(sdkConfig({ AWS_ENDPOINT_URL: "http://a", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }, "EC2")).toEqual({});
  // A profile wins over keys in the SDK's chain: left to the chain.
  expect(sdkConfig({ ...keys, AWS_PROFILE: "work" }, "EC2")).toEqual({});
});

describe("the drivers work from their settings while the process environment holds none of it", () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const k of Object.keys(process.env))
      if (/^(AWS_|GOOGLE_|AZURE_|CLOUDSDK_|CLOUDLAUNCH_)/.test(k)) delete process.env[k];
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  test("AWS", async () => {
    const fake = await startFakeEc2({ transitionMs: 20 });
    const aws = new AwsProvider(fake.spec.region, settingsFrom(fake.env));
    try {
      expect(await aws.listNodes()).toEqual([]);
      expect(fake.calls.some((c) => c.action === "DescribeInstances" && c.status === 200)).toBe(true);
    } finally {
      aws.close();
      await fake.close();
    }
  });

  test("GCP", async () => {
    const fake = await startFakeGcp({ transitionMs: 20 });
    try {
      const target = {
        provider: "gcp" as const,
        region: fake.spec.region,
        gcp: fake.spec.extra.gcp as { project: string },
      };
      const gcp = await gcpProvider(target, settingsFrom(fake.env));
      expect(await gcp.listNodes()).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
