// Service Quotas on the fake EC2 endpoint: the AWS JSON 1.1 protocol (POST /, `X-Amz-Target:
// ServiceQuotasV20190624.<Operation>`, `Content-Type: application/x-amz-json-1.1`), errors as
// `{"__type": "<Code>", "message": ...}` with `x-amzn-ErrorType`. Only GetServiceQuota, for service "ec2".
// References: https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html,
// https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/CommonErrors.html and the EC2 quota names in
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-spot-limits.html.
import type { IncomingMessage, ServerResponse } from "node:http";

export const TARGET_PREFIX = "ServiceQuotasV20190624.";

export class ServiceQuotasState {
  /** Applied values by quota code; the fake's defaults are generous so that only tests that lower one meet it. */
  readonly quotas = new Map<string, { name: string; value: number }>([
    ["L-1216C47A", { name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", value: 1152 }],
    ["L-34B43A08", { name: "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests", value: 1152 }],
    ["L-DB2E81BA", { name: "Running On-Demand G and VT instances", value: 64 }],
    ["L-3819A6DF", { name: "All G and VT Spot Instance Requests", value: 64 }],
    // Names as the EC2 docs list them (ec2-on-demand-instances.html#ec2-on-demand-instances-limits, using-spot-limits.html).
    ["L-417A185B", { name: "Running On-Demand P instances", value: 384 }],
    ["L-7212CCBC", { name: "All P Spot Instance Requests", value: 384 }],
    ["L-74FC7D96", { name: "Running On-Demand F instances", value: 128 }],
    ["L-88CF9481", { name: "All F Spot Instance Requests", value: 128 }],
    ["L-7295265B", { name: "Running On-Demand X instances", value: 128 }],
    ["L-E3A00192", { name: "All X Spot Instance Requests", value: 128 }],
    ["L-1945791B", { name: "Running On-Demand Inf instances", value: 128 }],
    ["L-B5D1601B", { name: "All Inf Spot Instance Requests", value: 128 }],
    ["L-6E869C2A", { name: "Running On-Demand DL instances", value: 96 }],
    ["L-85EED4F7", { name: "All DL Spot Instance Requests", value: 96 }],
    ["L-2C3B7624", { name: "Running On-Demand Trn instances", value: 256 }],
    ["L-6B0D517C", { name: "All Trn Spot Instance Requests", value: 256 }],
    ["L-F7808C92", { name: "Running On-Demand HPC instances", value: 192 }],
    ["L-43DA4232", { name: "Running On-Demand High Memory instances", value: 448 }],
  ]);
  constructor(readonly region: string) {}
}

export function isServiceQuotasRequest(req: IncomingMessage): boolean {
  return String(req.headers["x-amz-target"] ?? "").startsWith(TARGET_PREFIX);
}

/** Answers one Service Quotas call; returns the operation name and HTTP status for the call log. */
export function serveServiceQuotas(
  state: ServiceQuotasState,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
): { action: string; status: number } {
  const action = String(req.headers["x-amz-target"]).slice(TARGET_PREFIX.length);
  const reply = (status: number, doc: unknown, errorType?: string) => {
    res.writeHead(status, {
      "content-type": "application/x-amz-json-1.1",
      ...(errorType && { "x-amzn-errortype": errorType }),
    });
    res.end(JSON.stringify(doc));
    return { action, status };
  };
  const error = (status: number, code: string, message: string) => reply(status, { __type: code, message }, code);
  if (action !== "GetServiceQuota") return error(400, "UnknownOperationException", `Unknown operation ${action}`);
  let input: { ServiceCode?: string; QuotaCode?: string };
  try {
    input = JSON.parse(body || "{}");
  } catch {
    return error(400, "SerializationException", "Malformed JSON");
  }
  if (!input.ServiceCode || !input.QuotaCode)
    return error(400, "IllegalArgumentException", "ServiceCode and QuotaCode are required");
  const quota = input.ServiceCode === "ec2" ? state.quotas.get(input.QuotaCode) : undefined;
  if (!quota)
    return error(
      400,
      "NoSuchResourceException",
      `The request failed because the specified quota ${input.QuotaCode} doesn't exist.`,
    );
  return reply(200, {
    Quota: {
      ServiceCode: "ec2",
      ServiceName: "Amazon Elastic Compute Cloud (Amazon EC2)",
      QuotaCode: input.QuotaCode,
      QuotaName: quota.name,
      QuotaArn: `arn:aws:servicequotas:${state.region}:123456789012:ec2/${input.QuotaCode}`,
      Value: quota.value,
      Unit: "None",
      Adjustable: true,
      GlobalQuota: false,
      UsageMetric: {
        MetricNamespace: "AWS/Usage",
        MetricName: "ResourceCount",
        MetricStatisticRecommendation: "Maximum",
      },
    },
  });
}
