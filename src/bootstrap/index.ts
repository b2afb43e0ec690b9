// The bootstrap of a node: cloud-init user data that brings up Dask, the cluster's TLS material, the user-data
// size limits, and the snippet a user runs to connect. Pure and SDK-free; only tls.ts touches the disk.
export { renderUserData, tlsEnabled, type UserDataInput } from "./render.js";
export { USER_DATA_LIMITS, userDataBytes } from "./limits.js";
// tls.js is not re-exported: it pulls in the X.509 library, so src/apply/userdata.ts loads it on demand.
export type { NodeTlsMaterial } from "./tls.js";
export { cloudlaunchHome, clusterConfigDir, clientTlsFiles } from "./paths.js";
export { connectionSnippet } from "./snippet.js";
export {
  schedulerAddress,
  workerLayout,
  DASK_SCHEDULER_PORT,
  DASK_DASHBOARD_PORT,
  DEFAULT_DASK_VERSION,
} from "./dask-settings.js";
