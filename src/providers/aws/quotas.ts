// EC2 vCPU quotas before launch: the plan's new vCPUs per quota bucket against the applied quota minus the vCPUs of
// the account's running instances in that bucket (EC2 counts pending and running instances; spot separately).
// Buckets and codes: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-on-demand-instances.html#ec2-on-demand-instances-limits
// and https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-spot-limits.html. Auto-assigned public IPv4
// addresses have no quota on EC2 (only Elastic IPs do), so there is no address bucket here.
import { type Instance, paginateDescribeInstances } from "@aws-sdk/client-ec2";
import { findType } from "../../catalog/catalog.js";
import { addNeed, assertQuotas, nodesToAdd, type QuotaBucket } from "../../plan/quota.js";
import type { Plan } from "../../plan/types.js";
import type { Ec2Api } from "./client.js";

interface Bucket {
  onDemand: { code: string; name: string };
  /** HPC and High Memory instances are not offered as Spot Instances: no spot quota. */
  spot?: { code: string; name: string };
}

const bucket = (onDemand: [string, string], spot?: [string, string]): Bucket => ({
  onDemand: { code: onDemand[0], name: onDemand[1] },
  ...(spot && { spot: { code: spot[0], name: spot[1] } }),
});
const STANDARD = bucket(
  ["L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances"],
  ["L-34B43A08", "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests"],
);
const BY_FAMILY: Record<string, Bucket> = {};
for (const [families, b] of [
  [
    ["g", "gr", "vt"],
    bucket(
      ["L-DB2E81BA", "Running On-Demand G and VT instances"],
      ["L-3819A6DF", "All G and VT Spot Instance Requests"],
    ),
  ],
  [["p"], bucket(["L-417A185B", "Running On-Demand P instances"], ["L-7212CCBC", "All P Spot Instance Requests"])],
  [["f"], bucket(["L-74FC7D96", "Running On-Demand F instances"], ["L-88CF9481", "All F Spot Instance Requests"])],
  [["x"], bucket(["L-7295265B", "Running On-Demand X instances"], ["L-E3A00192", "All X Spot Instance Requests"])],
  [
    ["inf"],
    bucket(["L-1945791B", "Running On-Demand Inf instances"], ["L-B5D1601B", "All Inf Spot Instance Requests"]),
  ],
  [["dl"], bucket(["L-6E869C2A", "Running On-Demand DL instances"], ["L-85EED4F7", "All DL Spot Instance Requests"])],
  [
    ["trn"],
    bucket(["L-2C3B7624", "Running On-Demand Trn instances"], ["L-6B0D517C", "All Trn Spot Instance Requests"]),
  ],
  [["hpc"], bucket(["L-F7808C92", "Running On-Demand HPC instances"])],
  // u-3tb1 ... u-24tb1 and u7i-*, u7in-*: the High Memory instances.
  [["u"], bucket(["L-43DA4232", "Running On-Demand High Memory instances"])],
] as const) {
  for (const family of families) BY_FAMILY[family] = b;
}
const ALL_BUCKETS = [STANDARD, ...Object.values(BY_FAMILY)];

/** The quota bucket of an instance type by its family prefix (gr6 is a G instance); undefined for an unknown family. */
function bucketOf(instanceType: string): Bucket | undefined {
  const family = /^[a-z]+/.exec(instanceType)?.[0] ?? "";
  return BY_FAMILY[family] ?? (/^[acdhimrtz]/.test(family) ? STANDARD : undefined);
}

/** The quota code a node counts against, if any. */
export function quotaCodeOf(instanceType: string, spot: boolean): string | undefined {
  const b = bucketOf(instanceType);
  return (spot ? b?.spot : b?.onDemand)?.code;
}

const vcpusOf = (i: Instance, region: string, catalogDir: string | undefined) => {
  const cpu = i.CpuOptions;
  if (cpu?.CoreCount) return cpu.CoreCount * (cpu.ThreadsPerCore ?? 1);
  return findType("aws", region, i.InstanceType ?? "", catalogDir)?.vcpus ?? 0;
};

export async function checkQuotas(api: Ec2Api, plan: Plan): Promise<void> {
  const needs = new Map<string, number>();
  for (const n of nodesToAdd(plan)) {
    const code = quotaCodeOf(n.instanceType, n.spot);
    if (code) addNeed(needs, code, n.vcpus);
  }
  if (!needs.size) return;
  const inUse = new Map<string, number>();
  const running = await api.call("DescribeInstances", async (ec2) => {
    const out: Instance[] = [];
    const filter = { Name: "instance-state-name", Values: ["pending", "running"] };
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 1000 }, { Filters: [filter] })) {
      for (const r of page.Reservations ?? []) out.push(...(r.Instances ?? []));
    }
    return out;
  });
  for (const i of running) {
    const code = quotaCodeOf(i.InstanceType ?? "", i.InstanceLifecycle === "spot");
    if (code) addNeed(inUse, code, vcpusOf(i, plan.region, api.settings.catalogDir));
  }
  const { readEc2Quotas } = require("./service-quotas.js") as typeof import("./service-quotas.js");
  const limits = await readEc2Quotas(plan.region, [...needs.keys()], api.settings);
  const names = new Map(
    ALL_BUCKETS.flatMap((b) => (b.spot ? [b.onDemand, b.spot] : [b.onDemand])).map((q) => [q.code, q.name]),
  );
  const buckets: QuotaBucket[] = [...needs].flatMap(([code, needed]) => {
    const limit = limits.get(code);
    if (!limit) return [];
    return [
      {
        name: `${code} "${limit.name || names.get(code)}"`,
        unit: "vCPUs" as const,
        needed,
        limit: limit.value,
        inUse: inUse.get(code) ?? 0,
        raise:
          `request an increase at https://console.aws.amazon.com/servicequotas/home/services/ec2/quotas/${code} ` +
          `(or aws service-quotas request-service-quota-increase --service-code ec2 --quota-code ${code} --desired-value N)`,
      },
    ];
  });
  assertQuotas(`AWS ${plan.region}`, buckets);
}
