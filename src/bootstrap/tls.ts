// The cluster's TLS material, created on the first `up` and reused by every later one (a scale-up signs nothing
// new: workers share one certificate from the same CA). Leaf certificates are re-issued when they near expiry or
// no longer chain to the stored CA. Files are 0600 in 0700 directories under the user's config dir.
import { mkdir } from "node:fs/promises";
import { LocalStateError } from "../errors.js";
import { join } from "node:path";
import * as x509 from "./x509.js";
import type { RoleName } from "../spec/schema.js";
import { clusterConfigDir } from "./paths.js";
import { cloudlaunchHome, type Environment } from "../settings.js";
import { loadOrCreateCa } from "./ca-store.js";
import { pairMatches, readOptional, writePairAtomically } from "./pem-files.js";
import { certificateExpiry, issueCertificate, type LeafKind } from "./pki.js";

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

export interface TlsOptions {
  /** The cluster has nodes (running or stopped) that carry its CA: a missing or half-written CA is then refused. */
  clusterHasNodes?: boolean;
}

export async function ensureClusterTls(
  cluster: string,
  env: Environment,
  now = new Date(),
  options: TlsOptions = {},
): Promise<ClusterTls> {
  const dir = clusterConfigDir(cluster, cloudlaunchHome(env));
  // Created 0700 when missing; an existing directory keeps the mode its owner gave it.
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    throw new LocalStateError(
      `Cannot create ${dir} for the TLS material of cluster ${cluster}: ${err.code}. Make it writable, or set CLOUDLAUNCH_HOME.`,
    );
  });
  const paths = (name: string) => ({ certPath: join(dir, `${name}.pem`), keyPath: join(dir, `${name}-key.pem`) });

  const ca = await loadOrCreateCa(cluster, dir, now, !!options.clusterHasNodes);
  const caPaths = paths("ca");
  const caCert = new x509.X509Certificate(ca.certPem);
  const leaves = {} as Record<LeafKind, CertificateFiles>;
  for (const kind of LEAF_KINDS) {
    const p = paths(kind);
    const [certPem, keyPem] = await Promise.all([readOptional(p.certPath), readOptional(p.keyPath)]);
    let pair = certPem !== null && keyPem !== null ? { certPem, keyPem } : null;
    // A leaf whose key is not its certificate's (a write cut short) is issued again like a missing one.
    if (!pair || !pairMatches(pair) || !(await isCurrent(pair.certPem, caCert, now))) {
      pair = await issueCertificate(ca, cluster, kind, now);
      await writePairAtomically(p, pair);
    }
    leaves[kind] = { ...pair, ...p };
  }
  return { dir, caPem: ca.certPem, caPath: caPaths.certPath, ...leaves };
}

async function isCurrent(certPem: string, caCert: x509.X509Certificate, now: Date): Promise<boolean> {
  if (certificateExpiry(certPem).getTime() - now.getTime() < RENEW_BEFORE_MS) return false;
  return new x509.X509Certificate(certPem).verify({ publicKey: caCert.publicKey, signatureOnly: true });
}
