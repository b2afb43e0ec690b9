// A node's boot log through GetConsoleOutput (base64 on the wire; the SDK leaves it encoded). Latest=true reads the
// live serial console, which only Nitro types offer; other types answer an error and get the buffered output.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetConsoleOutput.html
import { GetConsoleOutputCommand } from "@aws-sdk/client-ec2";
import { CloudError } from "../../errors.js";
import type { NodeInfo } from "../provider.js";
import type { Ec2Api } from "./client.js";

export async function consoleOutput(api: Ec2Api, node: NodeInfo): Promise<string> {
  const read = (latest: boolean) =>
    api.call("GetConsoleOutput", (ec2) =>
      ec2.send(new GetConsoleOutputCommand({ InstanceId: node.id, Latest: latest || undefined })),
    );
  const answer = await read(true).catch((err: unknown) => {
    if (!(err instanceof CloudError) || !["invalid", "other"].includes(err.kind)) throw err;
    return read(false);
  });
  return answer.Output ? Buffer.from(answer.Output, "base64").toString("utf8") : "";
}
