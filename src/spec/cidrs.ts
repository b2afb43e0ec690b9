// network.allowed_cidrs: each entry a CIDR in canonical form, a warning when together they open more than a /8, and
// each cloud's cap on how many ranges its firewall takes, checked before anything is created.
import ipaddr from "ipaddr.js";
import { DASK_PORTS } from "../plan/plan.js";
import type { ClusterSpec } from "./schema.js";
import type { Finding } from "./checks.js";

interface Range {
  family: "IPv4" | "IPv6";
  start: bigint;
  end: bigint;
}

const BITS = { IPv4: 32, IPv6: 128 } as const;

export type CidrReading = { ok: true; canonical: string; range: Range } | { ok: false; message: string };

/** Parses one entry; the canonical form is what the clouds are sent (the network address, RFC 5952 for IPv6). */
export function readCidr(text: string): CidrReading {
  const m = /^([0-9a-fA-F:.]+)\/([0-9]{1,3})$/.exec(text);
  const notCidr = { ok: false as const, message: `"${text}" is not a CIDR (e.g. 203.0.113.10/32)` };
  if (!m || !ipaddr.isValid(m[1])) return notCidr;
  const address = ipaddr.parse(m[1]);
  const family = address.kind() === "ipv4" ? "IPv4" : "IPv6";
  // ipaddr.js also reads "10.1", "012.1.1.1" (octal) and hex parts as IPv4, as inet_aton does: ambiguous, refused.
  if (/^\d+(\.\d+){3}$/.test(m[1]) && /(^|\.)0\d/.test(m[1])) {
    return { ok: false, message: `"${text}" has a leading zero, which some tools read as octal` };
  }
  if (family === "IPv4" && !ipaddr.IPv4.isValidFourPartDecimal(m[1])) return notCidr;
  const prefix = Number(m[2]);
  if (prefix > BITS[family]) return notCidr;
  const network = ipaddr[family].networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  const start = toBigInt(network.toByteArray());
  const hostBits = BigInt(BITS[family] - prefix);
  const range = { family, start, end: start + (1n << hostBits) - 1n } as Range;
  const canonical = `${family === "IPv6" ? (network as ipaddr.IPv6).toRFC5952String() : network.toString()}/${prefix}`;
  if (toBigInt(address.toByteArray()) !== start) {
    const host = `${family === "IPv6" ? (address as ipaddr.IPv6).toRFC5952String() : address.toString()}/${BITS[family]}`;
    const wide = prefix ? "more than a /8" : "the whole internet";
    const breadth = prefix < 8 ? ` (the network ${canonical} opens SSH and Dask to ${wide})` : "";
    const message = `"${text}" has host bits set: write ${canonical} for the network${breadth}, or ${host} for the one address`;
    return { ok: false, message };
  }
  return { ok: true, canonical, range };
}

const toBigInt = (bytes: number[]) => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);

/** Errors for unreadable entries, a warning for a breadth, the clouds' caps, and the canonical list. */
export function cidrFindings(spec: Pick<ClusterSpec, "provider" | "network">): {
  findings: Finding[];
  canonical: string[];
} {
  const cidrs = Array.isArray(spec.network?.allowed_cidrs) ? spec.network.allowed_cidrs : [];
  const findings: Finding[] = [];
  const canonical: string[] = [];
  const ranges: Range[] = [];
  for (const [i, cidr] of cidrs.entries()) {
    if (typeof cidr !== "string") continue;
    const path = ["network", "allowed_cidrs", i];
    const read = readCidr(cidr);
    if (!read.ok) {
      findings.push({ path, message: read.message });
      continue;
    }
    if (read.canonical !== cidr)
      findings.push({ path, message: `"${cidr}" is read as ${read.canonical}`, warning: true });
    canonical.push(read.canonical);
    ranges.push(read.range);
  }
  if (findings.some((f) => !f.warning)) return { findings, canonical };
  for (const family of ["IPv4", "IPv6"] as const) {
    const broad = broadestCovered(
      ranges.filter((r) => r.family === family),
      BITS[family],
    );
    if (broad === undefined) continue;
    const what = broad === 0 ? `all of ${family}, the whole internet` : `a /${broad} of ${family}, more than a /8`;
    const alone = cidrs.length === 1 ? ["network", "allowed_cidrs", 0] : ["network", "allowed_cidrs"];
    findings.push({ path: alone, message: `these ranges open SSH and Dask to ${what}`, warning: true });
  }
  findings.push(...ruleCaps(spec.provider, ranges).map((message) => ({ path: ["network", "allowed_cidrs"], message })));
  return { findings, canonical };
}

/** The shortest prefix (0..7) of an aligned block that the union of the ranges covers whole, if any. */
function broadestCovered(ranges: Range[], bits: number): number | undefined {
  const merged: Range[] = [];
  for (const r of [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
    const last = merged.at(-1);
    if (last && r.start <= last.end + 1n) {
      if (r.end > last.end) last.end = r.end;
    } else merged.push({ ...r });
  }
  for (let prefix = 0; prefix < 8; prefix++) {
    const size = 1n << BigInt(bits - prefix);
    for (const r of merged) {
      const aligned = ((r.start + size - 1n) / size) * size;
      if (aligned + size - 1n <= r.end) return prefix;
    }
  }
  return undefined;
}

/**
 * How the drivers write the firewall, against each cloud's documented cap:
 * - EC2 (src/providers/aws/network.ts): one rule per (port, CIDR) plus one rule for the group itself. "Inbound or
 *   outbound rules per security group: 60", enforced separately for IPv4 and IPv6 (Amazon VPC quotas,
 *   https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html). IPv6 ranges go in Ipv6Ranges.
 * - GCP (src/providers/gcp/network.ts): one firewall rule holds every range: "Maximum number of source IP address
 *   ranges per firewall rule: 5,000 … either IPv4 only or IPv6 only" (https://cloud.google.com/firewall/docs/quotas).
 * - Azure (src/providers/azure/network.ts): one NSG rule holds every range: "IP addresses and ranges specified for
 *   source or destination in a security group: 4,000" (Azure networking limits, azure-subscription-service-limits).
 */
export const FIREWALL_CAPS = { awsRulesPerFamily: 60, gcpRangesPerRule: 5000, azurePrefixesPerNsg: 4000 } as const;

function ruleCaps(provider: ClusterSpec["provider"], ranges: Range[]): string[] {
  const v4 = ranges.filter((r) => r.family === "IPv4").length;
  const v6 = ranges.length - v4;
  if (provider === "aws") {
    // IPv4 ranges go in IpRanges and IPv6 ranges in Ipv6Ranges (src/providers/aws/network.ts), each family against
    // its own cap; the rule for the group itself is counted in both, to be safe.
    const problems: string[] = [];
    for (const [family, count] of [
      ["IPv4", v4],
      ["IPv6", v6],
    ] as const) {
      const rules = DASK_PORTS.length * count + 1;
      if (count === 0 || rules <= FIREWALL_CAPS.awsRulesPerFamily) continue;
      const most = Math.floor((FIREWALL_CAPS.awsRulesPerFamily - 1) / DASK_PORTS.length);
      problems.push(
        `${count} ${family} ranges make ${rules} security group rules (one per port ${DASK_PORTS.join("/")} and range, ` +
          `plus one), over EC2's ${FIREWALL_CAPS.awsRulesPerFamily} inbound rules per group and family: list at most ` +
          `${most}, or merge them into wider ranges`,
      );
    }
    return problems;
  }
  if (provider === "gcp") {
    if (v4 && v6) return ["a GCP firewall rule takes IPv4 or IPv6 ranges, not both: keep one family"];
    if (ranges.length > FIREWALL_CAPS.gcpRangesPerRule) {
      return [
        `${ranges.length} ranges, over the ${FIREWALL_CAPS.gcpRangesPerRule} source ranges a GCP firewall rule takes`,
      ];
    }
  }
  if (provider === "azure" && ranges.length > FIREWALL_CAPS.azurePrefixesPerNsg) {
    const cap = FIREWALL_CAPS.azurePrefixesPerNsg;
    return [`${ranges.length} ranges, over the ${cap} source prefixes an Azure network security group takes`];
  }
  return [];
}
