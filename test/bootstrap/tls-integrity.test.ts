// The CA and certificates as a set: a half-written CA is repaired while nothing can trust it and refused once the
// cluster has nodes; a cluster with nodes never gets a second CA; a failed certificate write leaves no key behind;
// an existing directory's mode is left as its owner set it.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { LocalStateError } from "../../src/errors.js";
import { writePairAtomically } from "../../src/bootstrap/pem-files.js";
import { ensureClusterTls } from "../../src/bootstrap/tls.js";
import { tempHome } from "./fixtures.js";

const home = tempHome();
afterAll(() => home.cleanup());
const now = new Date("2026-06-01T00:00:00Z");
const refused = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LocalStateError);
  return (err as Error).message;
};

test("ca-key.pem without ca.pem: set aside and replaced when the cluster has no nodes, refused when it has", async () => {
  const first = await ensureClusterTls("half", home.env, now);
  unlinkSync(first.caPath); // as a kill between the two writes would leave it
  const message = await refused(ensureClusterTls("half", home.env, now, { clusterHasNodes: true }));
  expect(message).toContain(first.dir);
  expect(message).toMatch(/half-written \(ca\.pem is missing\).*Copy the folder/);
  expect(existsSync(join(first.dir, "ca-key.pem"))).toBe(true); // refused: nothing touched

  const repaired = await ensureClusterTls("half", home.env, now);
  expect(repaired.caPem).not.toBe(first.caPem);
  expect(readdirSync(first.dir).some((f) => /^ca-key\.pem\.incomplete-/.test(f))).toBe(true);
  for (const leaf of [repaired.scheduler, repaired.worker]) expect(leaf.certPem).not.toBe(first.scheduler.certPem);
});

test("ca.pem and ca-key.pem that do not belong together are refused", async () => {
  const a = await ensureClusterTls("mixa", home.env, now);
  const b = await ensureClusterTls("mixb", home.env, now);
  const otherKey = readFileSync(join(b.dir, "ca-key.pem"), "utf8");
  writeFileSync(join(a.dir, "ca-key.pem"), otherKey);
  expect(await refused(ensureClusterTls("mixa", home.env, now))).toMatch(/ca-key\.pem is not the key of ca\.pem/);
});

test("a cluster with nodes and no CA on this machine is refused, naming where the CA is expected", async () => {
  const message = await refused(ensureClusterTls("elsewhere", home.env, now, { clusterHasNodes: true }));
  expect(message).toContain(join(home.home, "clusters", "elsewhere"));
  expect(message).toMatch(/will not make a second CA.*machine that launched elsewhere/);
  expect(existsSync(join(home.home, "clusters", "elsewhere", "ca.pem"))).toBe(false);
});

test("a leaf whose key does not match its certificate is re-issued", async () => {
  const tls = await ensureClusterTls("leaf", home.env, now);
  writeFileSync(tls.worker.keyPath, tls.client.keyPem);
  const again = await ensureClusterTls("leaf", home.env, now);
  expect(again.caPem).toBe(tls.caPem);
  expect(again.worker.certPem).not.toBe(tls.worker.certPem);
});

test("a failed certificate write leaves neither the key nor a temp file", async () => {
  const dir = join(home.home, "atomic");
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(dir, "x.pem")); // the certificate's rename cannot replace a directory
  const err = await writePairAtomically(
    { certPath: join(dir, "x.pem"), keyPath: join(dir, "x-key.pem") },
    { certPem: "C", keyPem: "K" },
  ).catch((e) => e);
  expect(String(err)).toMatch(/EISDIR|directory/i);
  expect(readdirSync(dir)).toEqual(["x.pem"]);
  rmSync(join(dir, "x.pem"), { recursive: true });
});

test("an existing cluster directory keeps its owner's mode (no chmod behind the user's back)", async () => {
  const dir = join(home.home, "clusters", "kept");
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  chmodSync(dir, 0o750);
  await ensureClusterTls("kept", home.env, now);
  expect(statSync(dir).mode & 0o777).toBe(0o750);
});
