// The metadata server as one instance sees it, for the guest scripts that ask it (templates/gcp-delete-self.sh):
// a request must carry `Metadata-Flavor: Google` (403 otherwise) and the answer carries it back
// (https://cloud.google.com/compute/docs/metadata/querying-metadata); instance/zone is `projects/NUMBER/zones/ZONE`
// (https://cloud.google.com/compute/docs/metadata/predefined-metadata-keys); the token endpoint answers
// {access_token, expires_in, token_type} for the attached service account, and an instance without one has no
// `service-accounts/default` entry (https://cloud.google.com/compute/docs/access/authenticate-workloads#applications).
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { listen } from "../common";
import type { FakeState } from "./state";

const PREFIX = "/computeMetadata/v1/";

export async function startMetadataServer(state: FakeState, zone: string, name: string) {
  const reply = (res: ServerResponse, status: number, body: string, type = "application/text") => {
    res.writeHead(status, { "content-type": type, "metadata-flavor": "Google" });
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers["metadata-flavor"] !== "Google") return reply(res, 403, "Missing Metadata-Flavor:Google header.");
    const inst = state.instances.get(`${zone}/${name}`);
    const path = new URL(req.url ?? "/", "http://metadata").pathname;
    if (!inst || !path.startsWith(PREFIX)) return reply(res, 404, "Not Found");
    const key = path.slice(PREFIX.length);
    const account = inst.serviceAccounts[0];
    if (key === "instance/name") return reply(res, 200, inst.name);
    if (key === "instance/zone") return reply(res, 200, `projects/${state.projectNumber}/zones/${inst.zone}`);
    if (key === "project/project-id") return reply(res, 200, state.project);
    if (key === "instance/service-accounts/default/token" && account) {
      const token = `ya29.c.fake-instance-${randomBytes(12).toString("hex")}`;
      state.instanceTokens.set(token, account);
      const body = { access_token: token, expires_in: 3599, token_type: "Bearer" };
      return reply(res, 200, JSON.stringify(body), "application/json");
    }
    return reply(res, 404, "Not Found");
  };
  const server = await listen(handle);
  return { host: new URL(server.url).host, close: server.close };
}
