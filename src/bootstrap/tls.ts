// The cluster's TLS material, created on the first `up` and reused by every later one (a scale-up signs nothing
// new: workers share one certificate from the same CA). Leaf certificates are re-issued when they near expiry or
// no longer chain to the stored CA. Files are 0600 in 0700 directories under the user's config dir.
import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as x509 from "./x509.js";
import type { RoleName } from "../spec/schema.js";
import { clusterConfigDir } from "./paths.js";
import { certificateExpiry, createCertificateAuthority, issueCertificate, type LeafKind } from "./pki.js";

const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
const LEAF_KINDS: LeafKind[] = ["scheduler", "worker", "client"];

export interface CertificateFiles {
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
}

export interface ClusterTls {
  dir: string;
  caPem: string;
  caPath: string;
  scheduler: CertificateFiles;
  worker: CertificateFiles;
  client: CertificateFiles;
}

/** What one node's user-data carries: never the CA's key. */
export interface NodeTlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export function nodeTlsFor(tls: ClusterTls, role: RoleName): NodeTlsMaterial {
  const leaf = role === "scheduler" ? tls.scheduler : tls.worker;
  return { caPem: tls.caPem, certPem: leaf.certPem, keyPem: leaf.keyPem };
}

export async function ensureClusterTls(cluster: string, env: NodeJS.ProcessEnv = process.env, now = new Date()): Promise<ClusterTls> {
  const dir = clusterConfigDir(cluster, env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const paths = (name: string) => ({ certPath: join(dir, `${name}.pem`), keyPath: join(dir, `${name}-key.pem`) });

  const caPaths = paths("ca");
  let ca = await readPair(caPaths.certPath, caPaths.keyPath);
  if (!ca) {
    const created = await createCertificateAuthority(cluster, now);
    // Exclusive: when two `up` runs race, both end up using whichever CA landed first.
    await writeExclusive(caPaths.keyPath, created.keyPem);
    await writeExclusive(caPaths.certPath, created.certPem);
    ca = await readPair(caPaths.certPath, caPaths.keyPath);
    if (!ca) throw new Error(`could not store the cluster CA in ${dir}`);
  }

  const caCert = new x509.X509Certificate(ca.certPem);
  const leaves = {} as Record<LeafKind, CertificateFiles>;
  for (const kind of LEAF_KINDS) {
    const p = paths(kind);
    let pair = await readPair(p.certPath, p.keyPath);
    if (!pair || !(await isCurrent(pair.certPem, caCert, now))) {
      pair = await issueCertificate(ca, cluster, kind, now);
      await writeReplacing(p.keyPath, pair.keyPem);
      await writeReplacing(p.certPath, pair.certPem);
    }
    leaves[kind] = { ...pair, ...p };
  }
  return { dir, caPem: ca.certPem, caPath: caPaths.certPath, ...leaves };
}

async function isCurrent(certPem: string, caCert: x509.X509Certificate, now: Date): Promise<boolean> {
  if (certificateExpiry(certPem).getTime() - now.getTime() < RENEW_BEFORE_MS) return false;
  return new x509.X509Certificate(certPem).verify({ publicKey: caCert.publicKey, signatureOnly: true });
}

async function readPair(certPath: string, keyPath: string): Promise<{ certPem: string; keyPem: string } | null> {
  try {
    return { certPem: await readFile(certPath, "utf8"), keyPem: await readFile(keyPath, "utf8") };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

async function writeTemp(path: string, content: string): Promise<string> {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, content, { mode: 0o600, flag: "wx" });
  return tmp;
}

async function writeReplacing(path: string, content: string): Promise<void> {
  await rename(await writeTemp(path, content), path);
}

async function writeExclusive(path: string, content: string): Promise<void> {
  const tmp = await writeTemp(path, content);
  try {
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    await unlink(tmp);
  }
}
