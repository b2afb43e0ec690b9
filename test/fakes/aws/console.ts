// GetConsoleOutput: the instance's console output, base64-encoded, only the most recent 64 KB.
// Reference: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetConsoleOutput.html
// (response: requestId, instanceId, timestamp, output).
import type { ActionContext, ActionResult } from "./actions.js";
import { Ec2Error, type Params, str } from "./wire.js";

const MAX_BYTES = 64 * 1024;

export function getConsoleOutput(params: Params, ctx: ActionContext): ActionResult {
  const id = str(params, "InstanceId") ?? "";
  const inst = ctx.world.instances.get(id);
  if (!inst || !ctx.world.visible(inst, ctx.now))
    throw new Ec2Error("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
  // A pending instance has posted nothing yet: the API answers without an output element.
  if (ctx.world.stateOf(inst, ctx.now) === "pending") return { instanceId: id, timestamp: new Date(ctx.now) };
  const bytes = Buffer.from(ctx.consoles.of(inst.tags.Name ?? id, inst.launchTime), "utf8");
  return {
    instanceId: id,
    timestamp: new Date(ctx.now),
    output: bytes.subarray(Math.max(0, bytes.length - MAX_BYTES)).toString("base64"),
  };
}
