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
  spot: { code: string; name: string };
}

const STANDARD: Bucket = {
  onDemand: { code: "L-1216C47A", name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances" },
  spot: { code: "L-34B43A08", name: "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests" },
};
const G_VT: Bucket = {
  onDemand: { code: "L-DB2E81BA", name: "Running On-Demand G and VT instances" },
  spot: { code: "L-3819A6DF", name: "All G and VT Spot Instance Requests" },
};
const P: Bucket = {
  onDemand: { code: "L-417A185B", name: "Running On-Demand P instances" },
  spot: { code: "L-7212CCBC", name: "All P Spot Instance Requests" },
};

/** The quota bucket of an instance type by its family prefix; undefined for families not checked (F, X, Inf, DL, Trn, u-). */
export function bucketOf(instanceType: string): Bucket | undefined {
  const family = /^[a-z]+/.exec(instanceType)?.[0] ?? "";
  if (family === "g" || family === "vt") return G_VT;
  if (family === "p") return P;
  if (/^(inf|dl|trn|u|x|f|hpc)$/.test(family) || family.startsWith("u")) return undefined;
  return /^[acdhimrtz]/.test(family) ? STANDARD : undefined;
}

const vcpusOf = (i: Instance, region: string, catalogDir: string | undefined) => {
  const cpu = i.CpuOptions;
  if (cpu?.CoreCount) return cpu.CoreCount * (cpu.ThreadsPerCore ?? 1);
  return findType("aws", region, i.InstanceType ?? "", catalogDir)?.vcpus ?? 0;
};

export async function checkQuotas(api: Ec2Api, plan: Plan): Promise<void> {
  const needs = new Map<string, number>();
  for (const n of nodesToAdd(plan)) {
    const bucket = bucketOf(n.instanceType);
    if (bucket) addNeed(needs, (n.spot ? bucket.spot : bucket.onDemand).code, n.vcpus);
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
    const bucket = bucketOf(i.InstanceType ?? "");
    if (bucket)
      addNeed(
        inUse,
        (i.InstanceLifecycle === "spot" ? bucket.spot : bucket.onDemand).code,
        vcpusOf(i, plan.region, api.settings.catalogDir),
      );
  }
  const { readEc2Quotas } = require("./service-quotas.js") as typeof import("./service-quotas.js");
  const limits = await readEc2Quotas(plan.region, [...needs.keys()], api.settings);
  const names = new Map([STANDARD, G_VT, P].flatMap((b) => [b.onDemand, b.spot]).map((q) => [q.code, q.name]));
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
