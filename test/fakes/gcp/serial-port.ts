// instances.getSerialPortOutput: the last 1 MB of a serial port, read from byte `start` (a negative start counts back
// from the newest byte; a start before the oldest kept byte is moved up to it and returned as `start`).
// Reference: https://cloud.google.com/compute/docs/reference/rest/v1/instances/getSerialPortOutput
import type { RouteContext } from "./routes";
import type { FakeInstance } from "./instances";
import { invalid, zoneUrl } from "./wire";

const BUFFER_BYTES = 1024 * 1024;

export function serialPortOutput(ctx: RouteContext, inst: FakeInstance, zone: string) {
  const port = Number(ctx.query.get("port") ?? 1);
  if (!Number.isInteger(port) || port < 1 || port > 4)
    throw invalid(`Invalid value for field 'port': '${ctx.query.get("port")}'. Must be between 1 and 4.`);
  // Only port 1 carries the boot console; the others stay empty.
  const all = Buffer.from(port === 1 ? ctx.consoles.of(inst.name, new Date(inst.createdMs)) : "", "utf8");
  const oldest = Math.max(0, all.length - BUFFER_BYTES);
  const asked = Number(ctx.query.get("start") ?? 0);
  const start = Math.max(oldest, asked < 0 ? all.length + asked : asked);
  return {
    kind: "compute#serialPortOutput",
    contents: all.subarray(start).toString("utf8"),
    start: String(start),
    next: String(all.length),
    selfLink: `${zoneUrl(ctx.state.project, zone)}/instances/${inst.name}/serialPort`,
  };
}
