// A node's boot log through instances.getSerialPortOutput on port 1, the console the kernel and cloud-init write
// to. The API keeps the last 1 MB; start=-N would read only the newest bytes, but callers want whole lines.
// https://cloud.google.com/compute/docs/reference/rest/v1/instances/getSerialPortOutput
import type { NodeInfo } from "../provider.js";
import type { GcpClients } from "./clients.js";
import { withRetry } from "./errors.js";

export async function serialConsole(clients: GcpClients, project: string, node: NodeInfo): Promise<string> {
  const [answer] = await withRetry(`read the serial console of ${node.name}`, () =>
    clients.instances.getSerialPortOutput({ project, zone: node.zone, instance: node.id, port: 1 }),
  );
  return answer.contents ?? "";
}
