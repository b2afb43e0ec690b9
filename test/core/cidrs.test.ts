// network.allowed_cidrs: canonical form, breadth of the union, and each cloud's cap on firewall ranges.
import { cidrFindings, FIREWALL_CAPS, readCidr } from "../../src/spec/cidrs";
import { parseSpec } from "../../src/spec/load";

const spec = (cidrs: string[], provider: "aws" | "gcp" | "azure" = "aws") => ({
  provider,
  network: { allowed_cidrs: cidrs },
});
const warnings = (cidrs: string[]) =>
  cidrFindings(spec(cidrs))
    .findings.filter((f) => f.warning)
    .map((f) => f.message);
const errors = (cidrs: string[], provider: "aws" | "gcp" | "azure" = "aws") =>
  cidrFindings(spec(cidrs, provider))
    .findings.filter((f) => !f.warning)
    .map((f) => f.message);

describe("allowed_cidrs", () => {
  it("reads canonical CIDRs as they are and normalises the spelling of others, saying so", () => {
    expect(readCidr("203.0.113.10/32")).toMatchObject({ ok: true, canonical: "203.0.113.10/32" });
    expect(readCidr("1.2.3.4/032")).toMatchObject({ ok: true, canonical: "1.2.3.4/32" });
    expect(readCidr("2001:DB8:0:0::/64")).toMatchObject({ ok: true, canonical: "2001:db8::/64" });
    expect(warnings(["1.2.3.4/032"])).toEqual(['"1.2.3.4/032" is read as 1.2.3.4/32']);
    const text =
      "name: n\nprovider: aws\nregion: us-east-1\nscheduler: {min_vcpus: 2}\nworkers: {count: 1, min_vcpus: 2}\n";
    const loaded = parseSpec(`${text}network: {allowed_cidrs: [1.2.3.4/032]}\n`, "s.yaml");
    expect(loaded.spec.network.allowed_cidrs).toEqual(["1.2.3.4/32"]);
    expect(loaded.warnings).toEqual(['s.yaml:6:27: network.allowed_cidrs[0]: "1.2.3.4/032" is read as 1.2.3.4/32']);
  });

  it("refuses what is not a CIDR, host bits, inet_aton forms and leading zeros", () => {
    for (const bad of [
      "1.2.3.4",
      "1.2.3.4/33",
      "::/129",
      "example.com/8",
      "1.2.3/24",
      "0x7f.0.0.1/32",
      "1.2.3.4/-1",
      " 1.2.3.4/32",
    ]) {
      expect(readCidr(bad)).toMatchObject({ ok: false, message: expect.stringContaining("not a CIDR") });
    }
    expect(readCidr("10.0.0.1/8")).toMatchObject({
      ok: false,
      message: expect.stringContaining("host bits set: write 10.0.0.0/8"),
    });
    expect(readCidr("2001:db8::1/64")).toMatchObject({
      ok: false,
      message: expect.stringContaining("write 2001:db8::/64"),
    });
    expect(readCidr("10.01.0.0/16")).toMatchObject({ ok: false, message: expect.stringContaining("leading zero") });
  });

  it("warns when the union of the ranges covers all of IPv4 or IPv6, or any prefix shorter than /8", () => {
    expect(warnings(["0.0.0.0/0"])).toEqual([expect.stringContaining("all of IPv4, the whole internet")]);
    expect(warnings(["0::/0"])).toEqual([
      '"0::/0" is read as ::/0',
      expect.stringContaining("all of IPv6, the whole internet"),
    ]);
    expect(warnings(["0.0.0.0/1", "128.0.0.0/1"])).toEqual([expect.stringContaining("all of IPv4")]);
    expect(warnings(["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"])).toEqual([
      expect.stringContaining("all of IPv4"),
    ]);
    expect(warnings(["10.0.0.0/7"])).toEqual([expect.stringContaining("a /7 of IPv4, more than a /8")]);
    expect(warnings(["10.0.0.0/8", "11.0.0.0/8"])).toEqual([expect.stringContaining("a /7 of IPv4")]);
    expect(warnings(["2000::/3"])).toEqual([expect.stringContaining("a /3 of IPv6")]);
    // A /8, or two /8s that do not make an aligned /7, stays quiet.
    expect(warnings(["10.0.0.0/8"])).toEqual([]);
    expect(warnings(["9.0.0.0/8", "10.0.0.0/8"])).toEqual([]);
    expect(warnings(["203.0.113.0/24", "2001:db8::/32"])).toEqual([]);
  });

  it("checks each cloud's documented cap on firewall ranges at validation", () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    // EC2: 3 ports × N ranges + 1 self rule ≤ 60 inbound rules.
    expect(errors(many(19))).toEqual([]);
    expect(errors(many(20))).toEqual([expect.stringMatching(/61 security group rules.*EC2's 60/)]);
    // IPv6 ranges are counted against their own family's cap (Ipv6Ranges), not refused.
    const many6 = (n: number) => Array.from({ length: n }, (_, i) => `2001:db8:${i.toString(16)}::/48`);
    expect(errors([...many(19), ...many6(19)])).toEqual([]);
    expect(errors(many6(20))).toEqual([expect.stringMatching(/20 IPv6 ranges make 61 security group rules/)]);
    expect(errors(many(FIREWALL_CAPS.gcpRangesPerRule), "gcp")).toEqual([]);
    expect(errors(many(FIREWALL_CAPS.gcpRangesPerRule + 1), "gcp")).toEqual([
      expect.stringContaining("5000 source ranges a GCP firewall rule"),
    ]);
    expect(errors(["10.0.0.0/8", "2001:db8::/32"], "gcp")).toEqual([expect.stringContaining("not both")]);
    expect(errors(many(FIREWALL_CAPS.azurePrefixesPerNsg), "azure")).toEqual([]);
    expect(errors(many(FIREWALL_CAPS.azurePrefixesPerNsg + 1), "azure")).toEqual([
      expect.stringContaining("4000 source prefixes"),
    ]);
  });
});
