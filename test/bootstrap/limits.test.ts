// User-data size: each provider's documented limit, gzip (write_files gz+b64) when plain text is over it, and a
// PlanError naming the node and the limit when even that does not fit.
import { randomBytes } from "node:crypto";
import { parse } from "yaml";
import { PlanError } from "../../src/errors.js";
import { renderUserData, USER_DATA_LIMITS, userDataBytes } from "../../src/bootstrap/index.js";
import { ensureClusterTls, type ClusterTls } from "../../src/bootstrap/tls.js";
import { inputFor, tempHome } from "./fixtures.js";
import { decodedContent, type CloudConfig } from "./tools.js";
import { resolved } from "../support/spec.js";

const home = tempHome();
let tls: ClusterTls;
beforeAll(async () => {
  tls = await ensureClusterTls("demo", home.env);
});
afterAll(() => home.cleanup());

test("the limits are the documented ones", () => {
  expect(USER_DATA_LIMITS).toEqual({ aws: 16384, azure: 65535, gcp: 262144 });
});

test("a typical TLS worker fits EC2 uncompressed with room to spare", () => {
  const userData = renderUserData(inputFor({ provider: "aws", role: "worker", tls: true }, tls));
  // 85%: the worker ships lib.sh and scheduler-address.sh too; a spec's setup commands still have ~2.4 KB plain.
  expect(userDataBytes(userData)).toBeLessThan(USER_DATA_LIMITS.aws * 0.85);
  expect(userData).not.toContain("gz+b64");
});

test("over EC2's limit, the files are gzip-compressed, fit, and decode to the same text", () => {
  const setup = Array.from(
    { length: 400 },
    (_, i) => `echo "preparing shard ${i} of the training data" >> /var/log/prepare.log`,
  );
  const input = inputFor({ provider: "aws", role: "worker", tls: true }, tls, { dask: { setup_commands: setup } });
  const userData = renderUserData(input);
  expect(userDataBytes(userData)).toBeLessThanOrEqual(USER_DATA_LIMITS.aws);
  const compressed = parse(userData, { version: "1.1" }) as CloudConfig;
  expect(compressed.write_files.every((f) => f.encoding === "gz+b64")).toBe(true);

  const plain = parse(renderUserData({ ...input, provider: "azure" }), { version: "1.1" }) as CloudConfig;
  expect(plain.write_files.every((f) => f.encoding === undefined)).toBe(true);
  // Same input rendered for Azure, whose larger limit keeps it plain: the files differ only in the provider's name.
  expect(compressed.write_files.map(decodedContent)).toEqual(
    plain.write_files.map(decodedContent).map((t) => t.replaceAll("azure", "aws")),
  );
});

test("incompressible data over the limit fails the plan with a clear error; a bigger limit accepts it", () => {
  const blob = randomBytes(15_000).toString("base64");
  const input = inputFor({ provider: "aws", role: "scheduler", tls: true }, tls, {
    dask: { setup_commands: [`echo ${blob} > /tmp/blob`] },
  });
  expect(() => renderUserData(input)).toThrow(PlanError);
  expect(() => renderUserData(input)).toThrow(
    /demo-scheduler is \d+ bytes even compressed, over the 16384-byte limit of EC2 user data/,
  );
  expect(userDataBytes(renderUserData({ ...input, provider: "azure" }))).toBeLessThanOrEqual(USER_DATA_LIMITS.azure);
  expect(() =>
    renderUserData({
      ...input,
      provider: "azure",
      spec: resolved({ ...input.spec, dask: { setup_commands: [randomBytes(60_000).toString("base64")] } }),
    }),
  ).toThrow(/65535-byte limit of Azure customData/);
});
