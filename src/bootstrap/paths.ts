// Where cloudlaunch keeps per-user state under its home (Settings.home: CLOUDLAUNCH_HOME, else
// $XDG_CONFIG_HOME/cloudlaunch, else ~/.config/cloudlaunch, the XDG Base Directory default).
import { join } from "node:path";

export { cloudlaunchHome } from "../settings.js";

/** Same rule as the spec's `name`: it becomes a directory name, so nothing else may reach the file system. */
const CLUSTER_NAME = /^[a-z][a-z0-9-]*$/;

/** `<home>/clusters/<name>`: the cluster's CA, certificates and keys. */
export function clusterConfigDir(cluster: string, home: string): string {
  if (!CLUSTER_NAME.test(cluster))
    throw new Error(`invalid cluster name for a config directory: ${JSON.stringify(cluster)}`);
  return join(home, "clusters", cluster);
}

/** Where `ensureClusterTls` (tls.ts) keeps the files a client needs; they exist once `up` ran with TLS on. */
export function clientTlsFiles(cluster: string, home: string) {
  const dir = clusterConfigDir(cluster, home);
  return { caPath: join(dir, "ca.pem"), certPath: join(dir, "client.pem"), keyPath: join(dir, "client-key.pem") };
}
