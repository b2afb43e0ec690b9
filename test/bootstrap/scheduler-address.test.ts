// The worker's side of following a re-created scheduler: scheduler-address.sh reads the address from the node's own
// instance metadata, in each cloud's metadata-service shape, served here on loopback. The fallback is the address
// written at first boot; anything but an IPv4 address in metadata is ignored.
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../support/cli";

const run = promisify(execFile);
const SCRIPT = join(ROOT, "templates", "scheduler-address.sh");
const FALLBACK = "tls://10.0.0.4:8786";
let server: Server;
let imds = "";
let value = "10.0.0.9";

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? "";
    // EC2 IMDSv2: a session token first, then the instance tag (only with InstanceMetadataTags enabled).
    const aws = only === "aws";
    if (aws && req.method === "PUT" && url === "/latest/api/token") return void res.end("tok");
    if (
      aws &&
      url === "/latest/meta-data/tags/instance/cloudlaunch-scheduler-ip" &&
      req.headers["x-aws-ec2-metadata-token"] === "tok"
    )
      return void res.end(value);
    if (
      only === "gcp" &&
      url === "/computeMetadata/v1/instance/attributes/cloudlaunch-scheduler-ip" &&
      req.headers["metadata-flavor"] === "Google"
    )
      return void res.end(value);
    if (only === "azure" && url.startsWith("/metadata/instance/compute/tagsList") && req.headers.metadata === "true") {
      return void res.end(
        JSON.stringify([
          { name: "cloudlaunch-cluster", value: "demo" },
          { name: "cloudlaunch-scheduler-ip", value },
        ]),
      );
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  imds = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

/** Which cloud's metadata shape the loopback server answers in; the script asks each in turn. */
let only = "aws";
const address = async (provider: string, env: Record<string, string> = { CLOUDLAUNCH_IMDS: imds }) => {
  only = provider;
  return (await run("bash", [SCRIPT, FALLBACK], { env: { PATH: process.env.PATH ?? "", ...env } })).stdout.trim();
};

test.each(["aws", "gcp", "azure"])(
  "%s: the address in the node's metadata wins over the first-boot one",
  async (provider) => {
    value = "10.0.0.9";
    expect(await address(provider)).toBe("tls://10.0.0.9:8786");
  },
);

test("no metadata service, or a value that is not an IPv4 address: the first-boot address", async () => {
  expect(await address("aws", { CLOUDLAUNCH_IMDS: "http://127.0.0.1:9" })).toBe(FALLBACK);
  value = "10.0.0.9; rm -rf /";
  expect(await address("gcp")).toBe(FALLBACK);
});
