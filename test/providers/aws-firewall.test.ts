// The AWS security group converged through the real SDK against the fake EC2: IPv4 CIDRs in IpRanges, IPv6 in
// Ipv6Ranges (API_IpPermission.html), stale rules revoked, and an unchanged plan costs reads only.
import { typesIn } from "../../src/catalog/catalog";
import { planCluster } from "../../src/plan/plan";
import { AwsProvider } from "../../src/providers/aws/index";
import { settingsFrom } from "../../src/settings";
import { type FakeEc2, startFakeEc2 } from "../fakes/aws/index";
import { resolved } from "../support/spec";

let fake: FakeEc2;
beforeAll(async () => {
  fake = await startFakeEc2({ transitionMs: 30 });
});
afterAll(async () => {
  await fake.close();
});

const spec = (cidrs: string[]) =>
  resolved({
    name: "fw",
    provider: "aws",
    region: fake.spec.region,
    scheduler: { min_vcpus: 2 },
    workers: { count: 1, min_vcpus: 2 },
    network: { subnet: fake.spec.subnet, allowed_cidrs: cidrs },
    ssh: { key_name: "cloudlaunch-fake" },
  });

test("v4 and v6 CIDRs land in their own ranges, a change is exactly added/revoked, a second run writes nothing", async () => {
  const settings = settingsFrom(fake.env, { aws: { wait: { pollMs: 20, timeoutMs: 10_000 } } });
  const aws = new AwsProvider(fake.spec.region, settings);
  try {
    const converge = async (cidrs: string[]) => {
      const plan = planCluster(spec(cidrs), typesIn("aws", fake.spec.region), []);
      await aws.preflight(plan);
      const since = fake.calls.length;
      const changes = await aws.ensureNetwork(plan);
      return {
        changes,
        writes: fake.calls
          .slice(since)
          .filter((c) => c.mutating)
          .map((c) => c.action),
      };
    };
    const group = () => [...fake.world.securityGroups.values()].find((g) => g.name === "cloudlaunch-fw")!;
    const admitted = () =>
      group()
        .ingress.filter((r) => r.protocol === "tcp")
        .map((r) => `${r.fromPort} ${r.cidr ?? r.cidrV6}`)
        .sort();

    expect((await converge(["203.0.113.10/32", "2001:db8::/64"])).writes).toEqual([
      "CreateSecurityGroup",
      "AuthorizeSecurityGroupIngress",
    ]);
    expect(admitted()).toEqual([
      "22 2001:db8::/64",
      "22 203.0.113.10/32",
      "8786 2001:db8::/64",
      "8786 203.0.113.10/32",
      "8787 2001:db8::/64",
      "8787 203.0.113.10/32",
    ]);
    expect(group().ingress.some((r) => r.protocol === "-1" && r.groupId === group().id)).toBe(true);

    const narrowed = await converge(["2001:db8::/64"]);
    expect(narrowed.writes).toEqual(["RevokeSecurityGroupIngress"]);
    expect(narrowed.changes.join("\n")).toMatch(/removed 203\.0\.113\.10\/32 on tcp 22/);
    expect(admitted()).toEqual(["22 2001:db8::/64", "8786 2001:db8::/64", "8787 2001:db8::/64"]);

    expect(await converge(["2001:db8::/64"])).toEqual({ changes: [], writes: [] });
  } finally {
    aws.close();
  }
});
