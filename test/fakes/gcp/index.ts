// A fake Compute Engine v1 REST API for the GCP driver's tests, the conformance suite and the benchmark: speaks the
// JSON wire format @google-cloud/compute sends over its REST transport, keeps state, and takes injected faults.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { FaultBox, IpPool, listen, logCall, sleep } from "../common";
import { ConsoleLogs } from "../console";
import type { FakeCall, FakeCloud, FakeCloudOptions, FakeVm, StartFake } from "../harness";
import { bootDiskJson, instanceStatus, sweepGone } from "./instances";
import { ROUTES, type RouteContext } from "./routes";
import { createState, defaultServiceAccount, IMAGE_PROJECT, type FakeState } from "./state";
import { startMetadataServer } from "./metadata-server";
import { ApiError, notFound, sendJson } from "./wire";
import { applyMask, maskOf } from "./field-mask";

export const FAKE_GCP_PROJECT = "cloudlaunch-test";
export const FAKE_GCP_REGION = "us-central1";

// What Google answers for a missing or rejected bearer token.
const LOGIN_HINT =
  "Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";
const MISSING_TOKEN = new ApiError(
  401,
  `Request is missing required authentication credential. ${LOGIN_HINT}`,
  "required",
  "global",
  { location: "Authorization", locationType: "header" },
);
const BAD_TOKEN = new ApiError(
  401,
  `Request had invalid authentication credentials. ${LOGIN_HINT}`,
  "authError",
  "global",
  { location: "Authorization", locationType: "header" },
);
const THROTTLED = new ApiError(429, "Rate Limit Exceeded", "rateLimitExceeded", "usageLimits");
const SERVER_ERRORS = [
  new ApiError(503, "The service is currently unavailable.", "backendError"),
  new ApiError(500, "Internal error. Please try again or contact Google Support.", "backendError"),
];

// An instance's token is limited by its access scopes first, then by its service account's IAM permissions:
// https://cloud.google.com/compute/docs/access/service-accounts#authorization
const INSUFFICIENT_SCOPES = new ApiError(
  403,
  "Request had insufficient authentication scopes.",
  "insufficientPermissions",
);
const COMPUTE_SCOPES = ["https://www.googleapis.com/auth/compute", "https://www.googleapis.com/auth/cloud-platform"];

function instanceDenial(
  state: FakeState,
  account: { email: string; scopes: string[] },
  action: string,
  path: string,
): ApiError | undefined {
  if (!account.scopes.some((s) => COMPUTE_SCOPES.includes(s))) return INSUFFICIENT_SCOPES;
  const granted = state.serviceAccountPermissions.get(account.email);
  if (granted === "*" || granted?.has(action)) return undefined;
  const resource = path.replace(/^\/compute\/v1\//, "");
  return new ApiError(403, `Required '${action}' permission for '${resource}'`, "forbidden");
}

/** Environment that keeps google-auth-library off the metadata server and away from the developer's gcloud files. */
function offlineAuthEnv(): Record<string, string> {
  return {
    METADATA_SERVER_DETECTION: "none",
    GCE_METADATA_HOST: "127.0.0.1:9",
    GOOGLE_APPLICATION_CREDENTIALS: "",
    GOOGLE_CLOUD_PROJECT: FAKE_GCP_PROJECT,
  };
}

export interface FakeGcp extends FakeCloud {
  /** The metadata server as the instance `name` sees it: its host:port, for GCE_METADATA_HOST. */
  metadataServer(name: string): Promise<{ host: string; close(): Promise<void> }>;
  /** What a service account may do, by IAM permission ("*": Editor); the default one starts with "*". */
  setServiceAccountPermissions(email: string, permissions: "*" | string[]): void;
  readonly defaultServiceAccount: string;
}

export const startFakeGcp: StartFake = (options) => startFakeCompute(options);

export async function startFakeCompute(options: FakeCloudOptions = {}): Promise<FakeGcp> {
  const state = createState(FAKE_GCP_PROJECT, FAKE_GCP_REGION);
  const token = `ya29.fake-${randomBytes(12).toString("hex")}`;
  const calls: FakeCall[] = [];
  const faults = new FaultBox();
  let latencyMs = options.latencyMs ?? 0;
  const transitionMs = options.transitionMs ?? 1000;
  const publicIps = new IpPool("34.118");
  const privateIps = new IpPool("10.128");
  const consoles = new ConsoleLogs();
  let serverErrors = 0;

  async function handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
    const action = route?.action ?? `unknown ${method} ${url.pathname}`;
    const mutating = route?.mutating ?? method !== "GET";
    const reply = (status: number, json: unknown, throttled = false) => {
      logCall(calls, action, mutating, status, throttled);
      sendJson(res, status, json);
    };
    if (latencyMs > 0) await sleep(latencyMs);
    const auth = req.headers.authorization;
    if (!auth) return reply(401, MISSING_TOKEN.body());
    const instanceToken = state.instanceTokens.get(auth.replace(/^Bearer /, ""));
    if (auth !== `Bearer ${token}` && !instanceToken) return reply(401, BAD_TOKEN.body());
    const denied = instanceToken && instanceDenial(state, instanceToken, action, url.pathname);
    if (denied) return reply(denied.code, denied.body());
    if (faults.take("drop", action)) {
      logCall(calls, action, mutating, 0);
      req.socket.destroy();
      return;
    }
    if (faults.take("throttle", action)) return reply(429, THROTTLED.body(), true);
    if (faults.take("server-error", action)) {
      const err = SERVER_ERRORS[serverErrors++ % SERVER_ERRORS.length];
      return reply(err.code, err.body());
    }
    try {
      if (!route) throw notFound(url.pathname);
      const params = route.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
      const imageRoute = action.startsWith("compute.images.");
      if (params[0] !== state.project && !(imageRoute && params[0] === IMAGE_PROJECT))
        throw notFound(`projects/${params[0]}`);
      sweepGone(state, transitionMs);
      const ctx: RouteContext = {
        state,
        faults,
        transitionMs,
        publicIps,
        privateIps,
        consoles,
        query: url.searchParams,
        body: body ? JSON.parse(body) : {},
      };
      const mask = maskOf(url.searchParams, req.headers);
      const json = await route.handle(ctx, params);
      reply(200, mask ? applyMask(json, mask) : json);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      reply(err.code, err.body());
    }
  }

  const server = await listen(handle, { port: options.port });
  // The fake's VMs run no Dask: `up` does not wait for it, `status` does not ask it.
  const env = {
    ...offlineAuthEnv(),
    CLOUDLAUNCH_GCP_ENDPOINT: server.url,
    CLOUDLAUNCH_GCP_ACCESS_TOKEN: token,
    CLOUDLAUNCH_DASK_PROBE: "0",
  };
  const fake: FakeGcp = {
    provider: "gcp",
    defaultServiceAccount: defaultServiceAccount(state),
    metadataServer: (name) => {
      const inst = [...state.instances.values()].find((i) => i.name === name);
      if (!inst) throw new Error(`no instance ${name} in the fake`);
      return startMetadataServer(state, inst.zone, name);
    },
    setServiceAccountPermissions: (email, permissions) =>
      state.serviceAccountPermissions.set(email, permissions === "*" ? "*" : new Set(permissions)),
    url: server.url,
    env,
    badCredentialsEnv: { ...env, CLOUDLAUNCH_GCP_ACCESS_TOKEN: "ya29.expired-token" },
    spec: {
      region: state.region,
      zones: [...state.zones],
      subnet: state.subnetwork.name,
      extra: { gcp: { project: state.project } },
    },
    calls,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    setConsoleOutput: (name, text) => consoles.set(name, text),
    setQuota: (kind, limit) => {
      if (kind === "vcpus") state.cpuQuota = limit;
      else state.quotaLimits[kind === "spot-vcpus" ? "PREEMPTIBLE_CPUS" : "IN_USE_ADDRESSES"] = limit;
    },
    vms: () => {
      sweepGone(state, transitionMs);
      return [...state.instances.values()].map((inst): FakeVm => {
        const status = instanceStatus(inst, transitionMs);
        const showIp = status === "STAGING" || status === "RUNNING" || (status === "STOPPING" && inst.phase === "stop");
        return {
          id: inst.id,
          name: inst.name,
          cluster: inst.labels["cloudlaunch-cluster"],
          state: status,
          instanceType: inst.machineType.name,
          zone: inst.zone,
          publicIp: showIp ? inst.natIp : undefined,
          privateIp: inst.privateIp,
          tags: { ...inst.labels },
          metadata: Object.fromEntries(
            inst.metadataItems.filter((i) => i.key !== "user-data").map((i) => [i.key, i.value ?? ""]),
          ),
        };
      });
    },
    resources: () => {
      sweepGone(state, transitionMs);
      const disks = [...state.instances.values()].map((i) => ({
        kind: "disk",
        id: bootDiskJson(state, i).selfLink,
        tags: { ...i.boot.labels },
      }));
      // Firewalls have no labels in Compute; the driver marks them by target tag `cloudlaunch-<cluster>`.
      const firewalls = [...state.firewalls.values()].map((fw) => {
        const targets = (fw.body.targetTags as string[] | undefined) ?? [];
        const tags: Record<string, string> = Object.fromEntries(targets.map((t) => [`target-tag:${t}`, ""]));
        const clusterTag = targets.find((t) => t.startsWith("cloudlaunch-"));
        if (clusterTag) tags["cloudlaunch-cluster"] = clusterTag.slice("cloudlaunch-".length);
        return { kind: "firewall", id: fw.name, tags };
      });
      return [...firewalls, ...disks];
    },
    close: () => server.close(),
  };
  return fake;
}
