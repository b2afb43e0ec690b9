// cloudlaunch's own files, end to end with the built CLI: a corrupt or foreign cluster.json is one clear error
// naming the file; an unwritable record directory stops up and terminate before the first cloud mutation and keeps
// its mode; two ups of one cluster on one machine are serialised by the lock.
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanHome, cli } from "../support/cli";
import { startWorld, type World } from "../conformance/world";

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe("a corrupt or foreign cluster.json", () => {
  const bad: [string, string][] = [
    ["[]", "the document"],
    ['{"provider":"nope"}', "/name: Expected required property"],
    ['{"name":"demo","provider":"aws","region":5,"createdAt":"2026-01-01"}', "region"],
    ["{not json", "not valid JSON"],
    ['{"name":"other","provider":"aws","region":"us-east-1","createdAt":"2026-01-01"}', 'describes cluster "other"'],
  ];
  it.each(bad)("%s: status and up say which file and what to do, exit 1, no stack trace", async (content, why) => {
    const home = cleanHome();
    const dir = join(home, ".cloudlaunch", "clusters", "demo");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "cluster.json"), content);
    const spec = join(home, "demo.yaml");
    writeFileSync(
      spec,
      "name: demo\nprovider: aws\nregion: us-east-1\nscheduler: {min_vcpus: 2}\nworkers: {count: 1, min_vcpus: 2}\nnetwork: {allowed_cidrs: [203.0.113.10/32]}\n",
    );
    for (const args of [["status", "demo"], ["status"], ["up", spec, "--offline"]]) {
      const r = await cli(args, { home });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(join(dir, "cluster.json"));
      expect(r.stderr).toContain(why);
      expect(r.stderr).toMatch(/Move it away or delete it/);
      expect(r.stderr).not.toContain("unexpected error");
      noStack(r.stderr);
    }
  });
});

describe("an unwritable record directory and two concurrent ups (AWS fake)", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld("aws");
  });
  afterAll(() => w?.close());

  // Root may write anywhere: the CLI runs as an unprivileged user then, as a real user would.
  const asUser = process.getuid?.() === 0 ? 65534 : undefined;
  const own = (path: string) => {
    if (asUser === undefined) return;
    for (const p of [path, ...readdirSync(path, { recursive: true }).map((f) => join(path, String(f)))])
      chownSync(p, asUser, asUser);
  };
  const lockTaken = async (cluster: string) => {
    const lockDir = join(w.home, ".cloudlaunch", "clusters", `${cluster}.lock`);
    for (let i = 0; i < 200 && !existsSync(lockDir); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(lockDir)).toBe(true);
  };
  const run = (args: string[]) => require("../support/cli").cli(args, { home: w.home, env: w.fake.env, uid: asUser });

  it("up and terminate stop before any cloud mutation, and the directory keeps its mode", async () => {
    const spec = w.spec("ro", 1);
    own(w.home);
    expect((await run(["up", spec])).code).toBe(0);
    const dir = join(w.home, ".cloudlaunch", "clusters", "ro");
    chmodSync(dir, 0o500);
    const since = w.fake.calls.length;
    const up = await run(["up", w.spec("ro", 2)]);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(new RegExp(`cannot write ${dir}.*nothing was changed in the cloud`));
    noStack(up.stderr);
    const terminate = await run(["terminate", "ro", "--yes"]);
    expect(terminate.code).toBe(1);
    expect(w.mutatingSince(since)).toEqual([]);
    expect(w.live("ro")).toHaveLength(2);
    expect(statSync(dir).mode & 0o777).toBe(0o500);
    chmodSync(dir, 0o700);
    expect((await run(["terminate", "ro", "--yes"])).code).toBe(0);
  });

  it("scaling a live cluster from a machine without its CA is refused: no second CA, no cloud change", async () => {
    own(w.home);
    expect((await run(["up", w.spec("noca", 1)])).code).toBe(0);
    const dir = join(w.home, ".cloudlaunch", "clusters", "noca");
    rmSync(dir, { recursive: true }); // another machine, or a wiped home
    const since = w.fake.calls.length;
    const up = await run(["up", w.spec("noca", 2)]);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`its CA is not in ${dir}`);
    expect(up.stderr).toMatch(/Copy the folder .* from the machine that launched noca/);
    noStack(up.stderr);
    expect(w.mutatingSince(since)).toEqual([]);
    expect(existsSync(join(dir, "ca.pem"))).toBe(false);
    expect(w.live("noca")).toHaveLength(2);
  });

  it("a second up of the same cluster waits for the first (lock file), then finds nothing to do", async () => {
    const spec = w.spec("locked", 2);
    own(w.home);
    w.fake.setLatency(100);
    const first = run(["up", spec]);
    await lockTaken("locked");
    const second = await run(["up", spec]);
    w.fake.setLatency(0);
    expect((await first).code).toBe(0);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/another up of locked is running on this machine; waiting/);
    expect(second.stderr).toContain("locked is up to date");
    expect(w.live("locked")).toHaveLength(3);
    w.fake.setLatency(300); // the next up holds the lock for several seconds
    const impatient = run(["up", spec]);
    await lockTaken("locked");
    const refused = await require("../support/cli").cli(["up", spec], {
      home: w.home,
      env: { ...w.fake.env, CLOUDLAUNCH_LOCK_WAIT_MS: "0" },
      uid: asUser,
    });
    await impatient;
    w.fake.setLatency(0);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /Another up of cluster locked is still running on this machine \(lock .*locked\.lock\)/,
    );
  });
});
