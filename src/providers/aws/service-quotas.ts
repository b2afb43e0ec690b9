// EC2's vCPU quotas through @aws-sdk/client-service-quotas: its own bundle (dist/aws-quotas.js), loaded only when
// preflight checks quotas. Endpoint: the SDK's AWS_ENDPOINT_URL_SERVICE_QUOTAS / AWS_ENDPOINT_URL.
// https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html
import { GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { CloudError } from "../../errors.js";
import { toCloudError } from "./errors.js";
import { type AwsSettings, sdkConfig } from "./sdk-config.js";

/** The applied value of each quota code of service "ec2"; a code the region does not have is left out. */
export async function readEc2Quotas(
  region: string,
  codes: string[],
  settings: AwsSettings,
): Promise<Map<string, { name: string; value: number }>> {
  const client = new ServiceQuotasClient({
    region,
    ...sdkConfig(settings.env, "SERVICE_QUOTAS"),
    maxAttempts: settings.aws.maxAttempts ?? 5,
  });
  const out = new Map<string, { name: string; value: number }>();
  try {
    for (const code of codes) {
      try {
        const { Quota } = await client.send(new GetServiceQuotaCommand({ ServiceCode: "ec2", QuotaCode: code }));
        if (Quota?.Value !== undefined) out.set(code, { name: Quota.QuotaName ?? code, value: Quota.Value });
      } catch (err) {
        const name = (err as Error).name;
        // Not every region has every quota (e.g. no P instances): nothing to check there.
        if (name === "NoSuchResourceException") continue;
        if (name === "AccessDeniedException") {
          throw new CloudError(
            "Not allowed to read EC2 quotas (servicequotas:GetServiceQuota); grant it to your IAM identity so `up` can " +
              "check vCPU quotas before launching, or set CLOUDLAUNCH_SKIP_QUOTA_CHECK=1.",
            "permission",
            name,
          );
        }
        throw toCloudError(err, "servicequotas:GetServiceQuota");
      }
    }
  } finally {
    client.destroy();
  }
  return out;
}
