// Every EC2 instance family counts against a Service Quotas vCPU quota (codes from
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-on-demand-instances.html#ec2-on-demand-instances-limits and
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-spot-limits.html), and a shortfall in one of the
// accelerator or memory families stops `up` before any mutating call, as the Standard one does.
import { regionsOf, typesIn } from "../../src/catalog/catalog";
import { quotaCodeOf } from "../../src/providers/aws/quotas";
import type { FakeEc2 } from "../fakes/aws/index";
import { startWorld, type World } from "../conformance/world";

test.each([
  ["m7i.large", "L-1216C47A", "L-34B43A08"],
  ["g6.xlarge", "L-DB2E81BA", "L-3819A6DF"],
  ["gr6.4xlarge", "L-DB2E81BA", "L-3819A6DF"],
  ["p5.48xlarge", "L-417A185B", "L-7212CCBC"],
  ["f1.2xlarge", "L-74FC7D96", "L-88CF9481"],
  ["x2gd.large", "L-7295265B", "L-E3A00192"],
  ["inf2.xlarge", "L-1945791B", "L-B5D1601B"],
  ["dl1.24xlarge", "L-6E869C2A", "L-85EED4F7"],
  ["trn1.2xlarge", "L-2C3B7624", "L-6B0D517C"],
  ["hpc7g.4xlarge", "L-F7808C92", undefined],
  ["u-3tb1.56xlarge", "L-43DA4232", undefined],
  ["u7i-12tb.224xlarge", "L-43DA4232", undefined],
])("%s counts against %s (spot: %s)", (type, onDemand, spot) => {
  expect(quotaCodeOf(type, false)).toBe(onDemand);
  expect(quotaCodeOf(type, true)).toBe(spot);
});

test("no type in the bundled AWS catalog escapes the on-demand quota check", () => {
  const unchecked = regionsOf("aws").flatMap((region) =>
    typesIn("aws", region)
      .filter((t) => !quotaCodeOf(t.type, false))
      .map((t) => `${region} ${t.type}`),
  );
  expect(unchecked).toEqual([]);
});

describe("against the fake", () => {
  let w: World;
  beforeAll(async () => void (w = await startWorld("aws")));
  afterAll(() => w?.close());

  test("an X-family shortfall stops up with nothing created, naming the quota", async () => {
    const quotas = (w.fake as FakeEc2).serviceQuotas.quotas;
    quotas.get("L-7295265B")!.value = 1;
    const file = w.spec("mem", 0, { scheduler: { instance_type: "x2gd.large" } });
    const since = w.fake.calls.length;
    const r = await w.run(["up", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/L-7295265B "Running On-Demand X instances": needs 2 vCPUs, limit 1, in use 0/);
    expect(r.stderr).toContain("nothing was created");
    expect(w.mutatingSince(since)).toEqual([]);
    quotas.get("L-7295265B")!.value = 128;
    expect((await w.run(["up", file, "--dryrun"])).code).toBe(0);
  });
});
