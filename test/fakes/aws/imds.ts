// The instance metadata service (IMDSv2) as seen from inside one instance, for live tests that play VMs: the fake
// serves it at /imds/<instance-id>/ on its own endpoint, since a test cannot answer at 169.254.169.254 per VM.
// Only what cloudlaunch's nodes read: the session token and the instance's tags.
// - A session starts with PUT /latest/api/token carrying X-aws-ec2-metadata-token-ttl-seconds (1-21600); every
//   read sends the token in X-aws-ec2-metadata-token. Without a valid one IMDSv2 answers 401
//   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html).
// - Tags are under /latest/meta-data/tags/instance (the keys, one a line) and .../tags/instance/<key> (the value),
//   only when the instance allows it (MetadataOptions.InstanceMetadataTags=enabled, off by default); a tag added
//   while the instance runs shows at once
//   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/work-with-tags-in-IMDS.html).
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Ec2World } from "./world.js";

const PREFIX = /^\/imds\/(i-[0-9a-f]+)(\/.*)$/;
const MAX_TTL_S = 21600;

export const isImdsRequest = (req: IncomingMessage) => PREFIX.test(req.url ?? "");

export class Imds {
  /** token → instance and expiry (epoch ms) */
  private readonly tokens = new Map<string, { instanceId: string; expires: number }>();

  constructor(private readonly world: Ec2World) {}

  serve(req: IncomingMessage, res: ServerResponse): void {
    const [status, text] = this.answer(req);
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(text);
  }

  private answer(req: IncomingMessage): [number, string] {
    const [, instanceId, path] = PREFIX.exec(req.url ?? "") ?? [];
    const inst = this.world.instances.get(instanceId);
    // Only a running instance has a metadata service to ask.
    if (!inst || this.world.stateOf(inst) !== "running") return [404, ""];
    if (req.method === "PUT" && path === "/latest/api/token") {
      const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_S) return [400, ""];
      const token = randomBytes(24).toString("base64url");
      this.tokens.set(token, { instanceId, expires: Date.now() + ttl * 1000 });
      return [200, token];
    }
    const session = this.tokens.get(String(req.headers["x-aws-ec2-metadata-token"] ?? ""));
    if (!session || session.instanceId !== instanceId || session.expires < Date.now()) return [401, ""];
    if (req.method !== "GET") return [405, ""];
    const tag = /^\/latest\/meta-data\/tags\/instance(?:\/([^/]+))?$/.exec(path);
    if (!tag || !inst.metadataTags) return [404, ""];
    if (tag[1] === undefined) return [200, Object.keys(inst.tags).join("\n")];
    const value = inst.tags[decodeURIComponent(tag[1])];
    return value === undefined ? [404, ""] : [200, value];
  }
}
