// A per-cluster certificate authority and the certificates it signs, with @peculiar/x509 over Node's WebCrypto.
// ECDSA P-256 keeps a certificate near 600 bytes of PEM, which matters under EC2's 16 KB user-data limit.
// Extensions follow what OpenSSL's X509_V_FLAG_X509_STRICT checks (Python 3.13 turns it on by default in
// ssl.create_default_context, which Dask uses): critical basicConstraints and SKI on the CA, AKI on leaves.
import { webcrypto } from "node:crypto";
import * as x509 from "./x509.js";

const crypto = webcrypto as unknown as Crypto;
const EC_KEY = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const;
const DAY_MS = 24 * 3600 * 1000;
const CA_VALIDITY_DAYS = 3650;
const LEAF_VALIDITY_DAYS = 365;

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export type LeafKind = "scheduler" | "worker" | "client";

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(EC_KEY, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

/** A little slack before "now" so a VM whose clock runs behind does not reject a fresh certificate. */
function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - DAY_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

export async function createCertificateAuthority(cluster: string, now = new Date()): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: `CN=cloudlaunch ${cluster} CA`,
      keys,
      signingAlgorithm: SIGNING,
      ...validity(now, CA_VALIDITY_DAYS),
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString("pem"), keyPem: await privateKeyPem(keys.privateKey) };
}

/**
 * Scheduler and worker certificates serve and connect (Dask nodes dial each other), so they carry both
 * serverAuth and clientAuth. Dask does not check host names, so one worker certificate serves every worker.
 */
export async function issueCertificate(
  ca: CertificateAuthority,
  cluster: string,
  kind: LeafKind,
  now = new Date(),
): Promise<IssuedCertificate> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await crypto.subtle.importKey("pkcs8", x509.PemConverter.decodeFirst(ca.keyPem), EC_KEY, false, [
    "sign",
  ]);
  const keys = await generateKeys();
  const usages =
    kind === "client"
      ? [x509.ExtendedKeyUsage.clientAuth]
      : [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject: `CN=${cluster}-${kind}`,
      issuer: caCert.subject,
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: SIGNING,
      ...validity(now, LEAF_VALIDITY_DAYS),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(usages),
        new x509.SubjectAlternativeNameExtension([{ type: "dns", value: `${cluster}-${kind}` }]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString("pem"), keyPem: await privateKeyPem(keys.privateKey) };
}

/** When the certificate stops being valid, read from the PEM itself. */
export function certificateExpiry(certPem: string): Date {
  return new x509.X509Certificate(certPem).notAfter;
}
