// Bad input against each cloud's fake, with credentials: `up --dryrun` runs exactly the checks `up` runs, and both
// refuse before the first mutation — no cloud write, no local record, no CA.
import { createHash } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProviderName } from "../../src/spec/schema";
import { USER_DATA_LIMITS } from "../../src/bootstrap/limits";
import { OPENSSH_PRIVATE_KEY } from "../support/ssh-keys";
import { startWorld, type World } from "./world";

const PROVIDERS = (process.env.CONFORMANCE_PROVIDERS ?? "aws,gcp,azure").split(",").filter(Boolean) as ProviderName[];
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

/** Setup commands that, even gzipped, outgrow the cloud's user-data limit (random text barely compresses). */
function oversizedSetup(provider: ProviderName): string[] {
  const commands = Math.ceil((USER_DATA_LIMITS[provider] * 1.6) / 600);
  return Array.from(
    { length: commands },
    (_, i) => `echo ${createHash("shake256", { outputLength: 450 }).update(String(i)).digest("base64")}`,
  );
}

describe.each(PROVIDERS)("%s, bad input", (provider) => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld(provider);
  });
  afterAll(() => w?.close());
  const clusterDir = (name: string) => join(w.home, ".cloudlaunch", "clusters", name);
  const written = (since: number) =>
    w.fake.calls
      .slice(since)
      .filter((c) => c.mutating)
      .map((c) => c.action);

  // GCP's limit (256 KiB) is the spec's own size cap: a spec cannot outgrow it.
  const sized = provider === "gcp" ? it.skip : it;
  sized("an online dry run of an oversized bootstrap exits 2 and makes no mutating call", async () => {
    const file = w.spec("huge", 2, { dask: { setup_commands: oversizedSetup(provider) } });
    const since = w.fake.calls.length;
    const r = await w.run(["up", file, "--dryrun"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid spec:");
    expect(r.stderr).toMatch(
      new RegExp(`huge\\.yaml:\\d+:\\d+: dask\\.setup_commands: .*over the ${USER_DATA_LIMITS[provider]}-byte limit`),
    );
    expect(written(since)).toEqual([]);
    noStack(r.stderr);
  });

  sized("the real up of the same spec exits 2 before creating a firewall, a record or a CA", async () => {
    const file = w.spec("huge", 2, { dask: { setup_commands: oversizedSetup(provider) } });
    const since = w.fake.calls.length;
    const r = await w.run(["up", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("dask.setup_commands");
    expect(written(since)).toEqual([]);
    expect(w.fake.resources().filter((res) => JSON.stringify(res.tags).includes("huge"))).toEqual([]);
    expect(existsSync(clusterDir("huge"))).toBe(false);
  });

  it("a private key as ssh.public_key_file is refused at validation, and nothing is sent", async () => {
    const key = join(w.home, ".ssh", "id_ed25519");
    writeFileSync(key, OPENSSH_PRIVATE_KEY, { mode: 0o600 });
    const file = w.spec("leak", 1, { ssh: { public_key_file: key } });
    const since = w.fake.calls.length;
    for (const args of [
      ["up", file, "--dryrun"],
      ["up", file],
    ]) {
      const r = await w.run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /leak\.yaml:\d+:\d+: ssh\.public_key_file: .*is a private key, which must never leave this machine/,
      );
    }
    expect(w.fake.calls.length).toBe(since);
    expect(existsSync(clusterDir("leak"))).toBe(false);
  });

  it("a missing key file is an error on every cloud", async () => {
    const r = await w.run([
      "up",
      w.spec("nokey", 1, { ssh: { public_key_file: join(w.home, "absent.pub") } }),
      "--dryrun",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ssh\.public_key_file: .*absent\.pub does not exist/);
  });
});
