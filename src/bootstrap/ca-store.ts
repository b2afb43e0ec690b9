// The cluster's CA on disk (ca.pem + ca-key.pem) and the rules that keep one cluster on one CA: a half-written set
// (a crash between the two writes) is repaired only while no node can trust it, and a cluster with nodes never gets
// a new CA — new workers signed by another CA could not join the old scheduler.
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { LocalStateError } from "../errors.js";
import { pairMatches, readOptional, writePairAtomically, type PemPair } from "./pem-files.js";
import { createCertificateAuthority } from "./pki.js";

const BRING_IT = (cluster: string, dir: string) =>
  `Copy the folder ${dir} (ca.pem, ca-key.pem and the other .pem files) from the machine that launched ${cluster}, then run up again; ` +
  `or terminate ${cluster} and launch it anew.`;

export async function loadOrCreateCa(
  cluster: string,
  dir: string,
  now: Date,
  clusterHasNodes: boolean,
): Promise<PemPair> {
  const paths = { certPath: join(dir, "ca.pem"), keyPath: join(dir, "ca-key.pem") };
  const [certPem, keyPem] = await Promise.all([readOptional(paths.certPath), readOptional(paths.keyPath)]);
  if (certPem !== null && keyPem !== null) {
    if (pairMatches({ certPem, keyPem })) return { certPem, keyPem };
    throw new LocalStateError(
      `The CA of cluster ${cluster} in ${dir} is inconsistent: ca-key.pem is not the key of ca.pem. ${BRING_IT(cluster, dir)}`,
    );
  }
  if (certPem !== null || keyPem !== null) {
    const missing = certPem === null ? "ca.pem" : "ca-key.pem";
    if (clusterHasNodes) {
      throw new LocalStateError(
        `The CA of cluster ${cluster} in ${dir} is half-written (${missing} is missing) and the cluster has nodes that trust it. ${BRING_IT(cluster, dir)}`,
      );
    }
    // Nothing launched can carry a CA that was never complete: set the half aside (kept, not deleted) and start over.
    const stamp = now.toISOString().replace(/[:.]/g, "-");
    for (const path of [paths.certPath, paths.keyPath])
      await rename(path, `${path}.incomplete-${stamp}`).catch(() => undefined);
  } else if (clusterHasNodes) {
    throw new LocalStateError(
      `Cluster ${cluster} has nodes but its CA is not in ${dir}; cloudlaunch will not make a second CA (new nodes could not join the old ones). ${BRING_IT(cluster, dir)}`,
    );
  }
  const created = await createCertificateAuthority(cluster, now);
  await writePairAtomically(paths, created);
  return created;
}
