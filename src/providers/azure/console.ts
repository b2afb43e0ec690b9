// A node's boot log through boot diagnostics: retrieveBootDiagnosticsData hands out a short-lived SAS URI of the
// serial console log blob, which is then a plain GET. Managed boot diagnostics is enabled at VM creation (vm-spec.ts).
// https://learn.microsoft.com/rest/api/compute/virtual-machines/retrieve-boot-diagnostics-data
import { CloudError } from "../../errors.js";
import type { NodeInfo } from "../provider.js";
import type { AzureClients } from "./clients.js";
import { toCloudError } from "./errors.js";

const SAS_MINUTES = 5;

export async function bootDiagnosticsLog(c: AzureClients, node: NodeInfo): Promise<string> {
  const group = /\/resourceGroups\/([^/]+)\//i.exec(node.id)?.[1] ?? c.settings.resourceGroup ?? "";
  let uri: string | undefined;
  try {
    const data = await c.compute.virtualMachines.retrieveBootDiagnosticsData(
      group,
      node.id.split("/").pop() ?? node.name,
      { sasUriExpirationTimeInMinutes: SAS_MINUTES },
    );
    uri = data.serialConsoleLogBlobUri;
  } catch (err) {
    throw toCloudError(err, `read the boot diagnostics of ${node.name}`);
  }
  if (!uri) return "";
  const answer = await fetch(uri).catch((err: Error) => {
    throw new CloudError(`Could not download the serial console log of ${node.name}: ${err.message}`, "other");
  });
  // Until the VM has written anything the blob does not exist.
  if (answer.status === 404) return "";
  if (!answer.ok)
    throw new CloudError(`Could not download the serial console log of ${node.name}: HTTP ${answer.status}`, "other");
  return answer.text();
}
