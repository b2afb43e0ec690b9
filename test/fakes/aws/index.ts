// A fake EC2 endpoint speaking the Query API over HTTP on 127.0.0.1: SigV4 access-key check, EC2's token-bucket
// throttling, DryRun, injected latency and faults, and the actions in actions.ts over the state in world.ts.
import { FaultBox, IpPool, listen, logCall, sleep } from "../common.js";
import { ConsoleLogs } from "../console.js";
import type { FakeCall, FakeCloud, FakeCloudOptions, FakeVm, StartFake } from "../harness.js";
import { ACTIONS, type ActionContext } from "./actions.js";
import { isPaginated } from "./filters.js";
import { Imds, isImdsRequest } from "./imds.js";
import { Ec2RateLimits } from "./rate-limits.js";
import { isServiceQuotasRequest, serveServiceQuotas, ServiceQuotasState } from "./service-quotas.js";
import {
  accessKeyOf,
  Ec2Error,
  filtersOf,
  newRequestId,
  parseQuery,
  renderError,
  renderResponse,
  str,
} from "./wire.js";
import { Ec2World } from "./world.js";

export interface FakeEc2Options extends FakeCloudOptions {
  region?: string;
  terminatedRetentionMs?: number;
  /** Every instance's private and public address: a loopback address lets real Dask play the VMs (live tests). */
  fixedAddress?: string;
  /** Every instance its own loopback address, private and public alike (world.ts); live tests. */
  loopbackAddresses?: boolean;
  /** The time the throttling buckets see (default Date.now): a test that must overrun a bucket holds it still. */
  rateLimitClock?: () => number;
}

export interface FakeEc2 extends FakeCloud {
  /** Credentials the fake accepts for reads and answers UnauthorizedOperation for mutations (DryRun included). */
  readonly readOnlyEnv: Record<string, string>;
  /** Instance types the last zone of `spec.zones` does not offer (Unsupported / absent from offerings). */
  readonly unofferedInLastZone: string[];
  readonly world: Ec2World;
  /** Service Quotas' applied values (by quota code), served on the same endpoint. */
  readonly serviceQuotas: ServiceQuotasState;
  /** The base URL of one instance's metadata service (imds.ts), for a test that plays the instance. */
  imdsUrl(instanceId: string): string;
}

const FULL_ACCESS_KEY = "AKIAFAKEEC2FULLACCES";
const READ_ONLY_KEY = "AKIAFAKEEC2READONLY1";
const EXPIRED_KEY = "AKIAFAKEEC2EXPIRED01";

export const startFakeEc2 = (async (options: FakeEc2Options = {}): Promise<FakeEc2> => {
  const region = options.region ?? "us-east-1";
  const transitionMs = options.transitionMs ?? 200;
  const world = new Ec2World(region, {
    transitionMs,
    terminatedRetentionMs: options.terminatedRetentionMs ?? 3_600_000,
    fixedAddress: options.fixedAddress,
    loopbackAddresses: options.loopbackAddresses,
  });
  const imds = new Imds(world);
  const calls: FakeCall[] = [];
  const faults = new FaultBox();
  const limits = new Ec2RateLimits(options.rateLimitClock);
  const rateLimits = options.rateLimits ?? true;
  const consoles = new ConsoleLogs();
  const ctxBase = {
    world,
    faults,
    publicIps: options.fixedAddress ? ({ next: () => options.fixedAddress! } as IpPool) : new IpPool("203.0"),
    clientTokens: new Map(),
    consoles,
  } satisfies Omit<ActionContext, "now">;
  let latencyMs = options.latencyMs ?? 0;
  let serverErrors = 0;
  const serviceQuotas = new ServiceQuotasState(region);

  const server = await listen(
    async (req, res, body) => {
      if (isImdsRequest(req)) return imds.serve(req, res);
      const requestId = newRequestId();
      const reply = (status: number, xml: string) => {
        res.writeHead(status, { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": requestId });
        res.end(xml);
      };
      if (latencyMs) await sleep(latencyMs);
      if (isServiceQuotasRequest(req)) {
        const { action, status } = serveServiceQuotas(serviceQuotas, req, res, body);
        logCall(calls, action, false, status);
        return;
      }
      const params = parseQuery(body);
      const action = str(params, "Action") ?? "";
      const spec = ACTIONS[action];
      const dryRun = str(params, "DryRun") === "true";
      const log = (status: number, throttled = false) =>
        logCall(calls, action, !!spec?.mutating && !dryRun, status, throttled);
      if (faults.take("drop", action)) {
        log(0);
        req.socket.destroy();
        return;
      }
      try {
        const key = accessKeyOf(req.headers.authorization);
        if (key !== FULL_ACCESS_KEY && key !== READ_ONLY_KEY) {
          throw new Ec2Error("AuthFailure", "AWS was not able to validate the provided access credentials", 401);
        }
        if (!spec) throw new Ec2Error("InvalidAction", `The action ${action} is not valid for this web service.`);
        const unfilteredUnpaginated = !isPaginated(params) && filtersOf(params).size === 0;
        if (
          faults.take("throttle", action) ||
          (rateLimits && !limits.admit(action, { resources: spec.resources?.(params), unfilteredUnpaginated }))
        ) {
          throw new Ec2Error("RequestLimitExceeded", "Request limit exceeded.", 503);
        }
        if (faults.take("server-error", action)) {
          throw serverErrors++ % 2 === 0
            ? new Ec2Error("InternalError", "An internal error has occurred", 500)
            : new Ec2Error("Unavailable", "The server is overloaded and can't handle the request.", 503);
        }
        if (spec.mutating && key === READ_ONLY_KEY) {
          throw new Ec2Error(
            "UnauthorizedOperation",
            `You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/readonly is not authorized to perform: ec2:${action}`,
            403,
          );
        }
        if (dryRun) throw new Ec2Error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
        const result = spec.run(params, { ...ctxBase, now: Date.now() });
        log(200);
        reply(200, renderResponse(action, requestId, result));
      } catch (err) {
        if (!(err instanceof Ec2Error)) throw err;
        log(err.status, err.code === "RequestLimitExceeded");
        reply(err.status, renderError(err.code, err.message, requestId));
      }
    },
    { port: options.port },
  );

  const envWith = (accessKey: string): Record<string, string> => ({
    AWS_ENDPOINT_URL_EC2: server.url,
    AWS_ENDPOINT_URL_SERVICE_QUOTAS: server.url,
    AWS_ACCESS_KEY_ID: accessKey,
    AWS_SECRET_ACCESS_KEY: "fake-secret-access-key",
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: "true",
    // The fake's VMs run no Dask: `up` does not wait for it, `status` does not ask it (live tests turn this on).
    CLOUDLAUNCH_DASK_PROBE: "0",
    AWS_CONFIG_FILE: "/nonexistent/cloudlaunch-fake-ec2/config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/cloudlaunch-fake-ec2/credentials",
    // The driver polls for state changes this often; the fake's transitions are fast.
    CLOUDLAUNCH_AWS_POLL_MS: String(Math.max(20, Math.round(transitionMs / 4))),
  });

  const vms = (): FakeVm[] => {
    const now = Date.now();
    return [...world.instances.values()]
      .filter((i) => world.visible(i, now))
      .map((i) => ({
        id: i.id,
        name: i.tags.Name ?? i.id,
        cluster: i.tags["cloudlaunch-cluster"],
        state: world.stateOf(i, now),
        instanceType: i.instanceType,
        zone: i.zone,
        publicIp: world.publicIpOf(i, now),
        privateIp: i.privateIp,
        tags: { ...i.tags },
      }));
  };

  const resources = () => {
    const now = Date.now();
    return [
      { kind: "vpc", id: world.vpcId, tags: {} },
      ...[...world.subnets.values()].map((s) => ({ kind: "subnet", id: s.id, tags: {} })),
      ...[...world.securityGroups.values()].map((g) => ({ kind: "security-group", id: g.id, tags: { ...g.tags } })),
      ...[...world.volumes.values()]
        .filter((v) => world.volumeExists(v, now))
        .map((v) => ({ kind: "volume", id: v.id, tags: { ...v.tags } })),
    ];
  };

  return {
    provider: "aws",
    url: server.url,
    env: envWith(FULL_ACCESS_KEY),
    badCredentialsEnv: envWith(EXPIRED_KEY),
    readOnlyEnv: envWith(READ_ONLY_KEY),
    spec: {
      region,
      zones: world.zones,
      subnet: world.subnets.keys().next().value!,
      extra: { ssh: { key_name: "cloudlaunch-fake" } },
    },
    unofferedInLastZone: world.unofferedInLastZone,
    world,
    serviceQuotas,
    imdsUrl: (instanceId) => `${server.url}/imds/${instanceId}`,
    calls,
    setLatency: (ms) => void (latencyMs = ms),
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    setConsoleOutput: (name, text) => consoles.set(name, text),
    setQuota: (kind, limit) => {
      // EC2 has no quota on auto-assigned public IPv4 addresses (only on Elastic IPs): nothing to set.
      if (kind === "addresses") return;
      serviceQuotas.quotas.get(kind === "vcpus" ? "L-1216C47A" : "L-34B43A08")!.value = limit;
    },
    vms,
    resources,
    close: server.close,
  };
}) satisfies StartFake;
