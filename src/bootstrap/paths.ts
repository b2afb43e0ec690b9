// Where cloudlaunch keeps per-user state: CLOUDLAUNCH_HOME, else $XDG_CONFIG_HOME/cloudlaunch, else
// ~/.config/cloudlaunch (the XDG Base Directory default).
import { homedir } from "node:os";
import { join } from "node:path";

/** Same rule as the spec's `name`: it becomes a directory name, so nothing else may reach the file system. */
const CLUSTER_NAME = /^[a-z][a-z0-9-]*$/;

export function cloudlaunchHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLOUDLAUNCH_HOME) return env.CLOUDLAUNCH_HOME;
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(configHome, "cloudlaunch");
}

/** `<home>/clusters/<name>`: the cluster's CA, certificates and keys. */
export function clusterConfigDir(cluster: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!CLUSTER_NAME.test(cluster))
    throw new Error(`invalid cluster name for a config directory: ${JSON.stringify(cluster)}`);
  return join(cloudlaunchHome(env), "clusters", cluster);
}

/** Where `ensureClusterTls` (tls.ts) keeps the files a client needs; they exist once `up` ran with TLS on. */
export function clientTlsFiles(cluster: string, env: NodeJS.ProcessEnv = process.env) {
  const dir = clusterConfigDir(cluster, env);
  return { caPath: join(dir, "ca.pem"), certPath: join(dir, "client.pem"), keyPath: join(dir, "client-key.pem") };
}
