// Each planned node's cloud-init user data, from templates/ via src/bootstrap, for the instance type it is launched
// as (a fallback type gets Dask sizing of its own). Workers of one type get identical user data (no per-node
// values), rendered once and shared — which is also what lets EC2 launch them in batches.
import { createHash } from "node:crypto";
import { renderUserData, tlsEnabled, type NodeTlsMaterial } from "../bootstrap/index.js";
import type { Plan } from "../plan/types.js";
import type { RoleName } from "../spec/schema.js";
import type { UserDataFor } from "./up.js";
import type { Environment } from "../settings.js";

// A dry run (and the checks before any launch) must not create the cluster's CA on disk, yet must check the user data
// fits the cloud's limit: PEM blocks of the size an ECDSA P-256 certificate and key take (with room to spare) stand
// in for the real ones. Their body is pseudo-random like real DER, so that when the user data has to be gzipped the
// stand-ins compress no better than the certificates will (a run of "A"s would shrink to nothing and pass a spec
// the real launch then refuses).
const pem = (label: string, chars: number) => {
  const random = createHash("shake256", { outputLength: Math.ceil((chars * 3) / 4) }).update(label + chars);
  const body = random.digest("base64").slice(0, chars);
  return `-----BEGIN ${label}-----\n${body.replace(/.{64}/g, "$&\n")}\n-----END ${label}-----\n`;
};
const PLACEHOLDER_TLS: NodeTlsMaterial = {
  caPem: pem("CERTIFICATE", 900),
  certPem: pem("CERTIFICATE", 1000),
  keyPem: pem("PRIVATE KEY", 320),
};

/** `env` locates the cluster's CA (CLOUDLAUNCH_HOME...): see src/bootstrap/tls.ts. A dry run needs none. */
export async function userDataRenderer(plan: Plan, dryrun: true): Promise<UserDataFor>;
export async function userDataRenderer(plan: Plan, dryrun: boolean, env: Environment): Promise<UserDataFor>;
export async function userDataRenderer(plan: Plan, dryrun: boolean, env: Environment = {}): Promise<UserDataFor> {
  let tls: ((role: RoleName) => NodeTlsMaterial) | undefined;
  if (tlsEnabled(plan.spec)) {
    if (dryrun) tls = () => PLACEHOLDER_TLS;
    else {
      // The X.509 library is loaded only here, when certificates are really made (see scripts/build.mjs).
      const { ensureClusterTls, nodeTlsFor } = require("../bootstrap/tls.js") as typeof import("../bootstrap/tls.js");
      // Nodes that exist (running, stopped, surplus) carry the cluster's CA: it may be reused, never replaced.
      const clusterHasNodes = plan.nodes.some((n) => n.action !== "create");
      const material = await ensureClusterTls(plan.cluster, env, new Date(), { clusterHasNodes });
      tls = (role) => nodeTlsFor(material, role);
    }
  }
  const rendered = new Map<string, string>();
  return (node, type, schedulerIp) => {
    const key = `${node.role === "scheduler" ? node.name : "worker"}|${type.vcpus}|${type.memoryGib}|${schedulerIp}`;
    let userData = rendered.get(key);
    if (userData === undefined) {
      userData = renderUserData({
        provider: plan.provider,
        cluster: plan.cluster,
        role: node.role,
        nodeName: node.role === "scheduler" ? node.name : undefined,
        vcpus: type.vcpus,
        memoryGib: type.memoryGib,
        schedulerHost: schedulerIp,
        spec: plan.spec,
        tls: tls?.(node.role),
      });
      rendered.set(key, userData);
    }
    return userData;
  };
}
