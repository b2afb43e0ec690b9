// Writing a key and its certificate as one set: both land in temp files first (0600, created exclusively), then
// the key is renamed into place and the certificate last. A failure before the renames leaves nothing; a failure
// of the last rename removes the key it published, so a key never outlives a failed write of its certificate.
// rename(2) is atomic within a directory, so a reader sees the old file or the new one, never half of either.
import { randomBytes, createPrivateKey, X509Certificate } from "node:crypto";
import { readFile, rename, unlink, writeFile } from "node:fs/promises";

export interface PemPair {
  certPem: string;
  keyPem: string;
}

const tempFor = (path: string) => `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
const removeQuietly = (path: string) => unlink(path).catch(() => undefined);

export async function writePairAtomically(paths: { certPath: string; keyPath: string }, pair: PemPair): Promise<void> {
  const keyTmp = tempFor(paths.keyPath);
  const certTmp = tempFor(paths.certPath);
  try {
    await writeFile(keyTmp, pair.keyPem, { mode: 0o600, flag: "wx" });
    await writeFile(certTmp, pair.certPem, { mode: 0o600, flag: "wx" });
  } catch (err) {
    await Promise.all([removeQuietly(keyTmp), removeQuietly(certTmp)]);
    throw err;
  }
  await rename(keyTmp, paths.keyPath).catch(async (err) => {
    await Promise.all([removeQuietly(keyTmp), removeQuietly(certTmp)]);
    throw err;
  });
  await rename(certTmp, paths.certPath).catch(async (err) => {
    await Promise.all([removeQuietly(paths.keyPath), removeQuietly(certTmp)]);
    throw err;
  });
}

/** The file's text, or null when it does not exist. */
export async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/** The certificate parses and the key is the private half of its public key. */
export function pairMatches(pair: PemPair): boolean {
  try {
    return new X509Certificate(pair.certPem).checkPrivateKey(createPrivateKey(pair.keyPem));
  } catch {
    return false;
  }
}
