// The cluster's TLS material: where it lives, its permissions, reuse across `up` runs, and that every leaf chains
// to the cluster's CA (checked with Node's X509Certificate and, where present, `openssl verify -x509_strict`).
import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cloudlaunchHome, clusterConfigDir } from "../../src/bootstrap/index.js";
import { ensureClusterTls } from "../../src/bootstrap/tls.js";
import { createCertificateAuthority, issueCertificate } from "../../src/bootstrap/pki.js";
import { tempHome } from "./fixtures.js";
import { describeWithTools, SYSTEM_PATH, TOOLS } from "./tools.js";

const home = tempHome();
afterAll(() => home.cleanup());

const mode = (path: string) => statSync(path).mode & 0o777;

test("the config dir is CLOUDLAUNCH_HOME, else $XDG_CONFIG_HOME/cloudlaunch, else ~/.config/cloudlaunch", () => {
  expect(cloudlaunchHome({ CLOUDLAUNCH_HOME: "/a", XDG_CONFIG_HOME: "/b", HOME: "/c" })).toBe("/a");
  expect(cloudlaunchHome({ XDG_CONFIG_HOME: "/b", HOME: "/c" })).toBe("/b/cloudlaunch");
  expect(cloudlaunchHome({ HOME: "/c" })).toBe("/c/.config/cloudlaunch");
  expect(clusterConfigDir("demo", cloudlaunchHome({ HOME: "/c" }))).toBe("/c/.config/cloudlaunch/clusters/demo");
  expect(() => clusterConfigDir("../etc", "/c")).toThrow(/invalid cluster name/);
});

test("first up creates a CA and scheduler/worker/client certificates: files 0600, directories 0700", async () => {
  const tls = await ensureClusterTls("alpha", home.env);
  expect(tls.dir).toBe(join(home.home, "clusters", "alpha"));
  for (const dir of [home.home, join(home.home, "clusters"), tls.dir]) expect(mode(dir)).toBe(0o700);
  const files = [
    tls.caPath,
    join(tls.dir, "ca-key.pem"),
    ...[tls.scheduler, tls.worker, tls.client].flatMap((c) => [c.certPath, c.keyPath]),
  ];
  for (const file of files) expect(mode(file)).toBe(0o600);

  const ca = new X509Certificate(tls.caPem);
  expect(ca.ca).toBe(true);
  for (const leaf of [tls.scheduler, tls.worker, tls.client]) {
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);
    expect(readFileSync(leaf.certPath, "utf8")).toBe(leaf.certPem);
  }
  // Small enough for EC2's 16 KB user data: P-256 keys and certificates.
  expect(tls.caPem.length + tls.worker.certPem.length + tls.worker.keyPem.length).toBeLessThan(2000);
});

test("later runs reuse the same CA and certificates; a scale-up gets the same worker certificate", async () => {
  const first = await ensureClusterTls("beta", home.env);
  const second = await ensureClusterTls("beta", home.env);
  expect(second).toEqual(first);
  const other = await ensureClusterTls("gamma", home.env);
  expect(other.caPem).not.toBe(first.caPem);
});

test("a lost or expiring leaf is re-issued by the same CA; the CA is never replaced", async () => {
  const first = await ensureClusterTls("delta", home.env);
  rmSync(first.worker.keyPath);
  const repaired = await ensureClusterTls("delta", home.env);
  expect(repaired.caPem).toBe(first.caPem);
  expect(repaired.worker.certPem).not.toBe(first.worker.certPem);
  expect(repaired.scheduler).toEqual(first.scheduler);
  expect(new X509Certificate(repaired.worker.certPem).verify(new X509Certificate(first.caPem).publicKey)).toBe(true);

  const nearExpiry = new Date(Date.now() + 340 * 24 * 3600 * 1000);
  const renewed = await ensureClusterTls("delta", home.env, nearExpiry);
  expect(renewed.caPem).toBe(first.caPem);
  expect(renewed.client.certPem).not.toBe(first.client.certPem);
  expect(new Date(new X509Certificate(renewed.client.certPem).validTo).getTime()).toBeGreaterThan(nearExpiry.getTime());
});

test("a leaf signed by another CA (e.g. a CA restored from elsewhere) is replaced", async () => {
  const tls = await ensureClusterTls("epsilon", home.env);
  const foreign = await issueCertificate(await createCertificateAuthority("epsilon"), "epsilon", "client");
  writeFileSync(tls.client.certPath, foreign.certPem);
  writeFileSync(tls.client.keyPath, foreign.keyPem);
  const fixed = await ensureClusterTls("epsilon", home.env);
  expect(fixed.client.certPem).not.toBe(foreign.certPem);
  expect(new X509Certificate(fixed.client.certPem).checkIssued(new X509Certificate(tls.caPem))).toBe(true);
});

describeWithTools(
  "certificates pass OpenSSL's strict X.509 checks (what Python 3.13's default context applies)",
  [TOOLS.openssl],
  () => {
    test.each(["scheduler", "worker", "client"] as const)("%s", async (kind) => {
      const tls = await ensureClusterTls("strict", home.env);
      const purpose = kind === "client" ? "sslclient" : "sslserver";
      const run = spawnSync(
        "openssl",
        ["verify", "-x509_strict", "-purpose", purpose, "-CAfile", tls.caPath, tls[kind].certPath],
        { encoding: "utf8", env: { PATH: SYSTEM_PATH } },
      );
      expect({ status: run.status, out: run.stdout.trim() }).toEqual({ status: 0, out: `${tls[kind].certPath}: OK` });
    });
  },
);
