// The actions the fake serves: which are mutating (for the call log and the dry-run check), how many instances a
// call touches (for the resource token buckets), and the handler.
import type { FaultBox, IpPool } from "../common.js";
import type { ConsoleLogs } from "../console.js";
import { getConsoleOutput } from "./console.js";
import * as inst from "./instances.js";
import * as net from "./network.js";
import { describeSpotPriceHistory } from "./spot-prices.js";
import { type Params, strings, str, type XmlValue } from "./wire.js";
import type { Ec2World } from "./world.js";

export interface ActionContext {
  world: Ec2World;
  faults: FaultBox;
  publicIps: IpPool;
  clientTokens: Map<string, { fingerprint: string; instanceIds: string[] }>;
  consoles: ConsoleLogs;
  now: number;
}

export type ActionResult = Record<string, XmlValue>;

export interface ActionSpec {
  mutating: boolean;
  /** Instances the call affects, charged against the action's resource token bucket. */
  resources?: (params: Params) => number;
  run: (params: Params, ctx: ActionContext) => ActionResult;
}

const instanceCount = (params: Params) => strings(params.InstanceId).length;

export const ACTIONS: Record<string, ActionSpec> = {
  DescribeAvailabilityZones: { mutating: false, run: net.describeAvailabilityZones },
  DescribeSubnets: { mutating: false, run: net.describeSubnets },
  DescribeImages: { mutating: false, run: net.describeImages },
  DescribeInstanceTypeOfferings: { mutating: false, run: net.describeInstanceTypeOfferings },
  DescribeKeyPairs: { mutating: false, run: net.describeKeyPairs },
  DescribeSecurityGroups: { mutating: false, run: net.describeSecurityGroups },
  CreateSecurityGroup: { mutating: true, run: net.createSecurityGroup },
  AuthorizeSecurityGroupIngress: { mutating: true, run: net.authorizeIngress },
  RevokeSecurityGroupIngress: { mutating: true, run: net.revokeIngress },
  DeleteSecurityGroup: { mutating: true, run: net.deleteSecurityGroup },
  DescribeInstances: { mutating: false, run: inst.describeInstances },
  DescribeVolumes: { mutating: false, run: inst.describeVolumes },
  DescribeSpotPriceHistory: { mutating: false, run: describeSpotPriceHistory },
  RunInstances: { mutating: true, resources: (p) => Number(str(p, "MaxCount") ?? 1), run: inst.runInstances },
  StartInstances: { mutating: true, resources: instanceCount, run: inst.changeState("start") },
  StopInstances: { mutating: true, resources: instanceCount, run: inst.changeState("stop") },
  TerminateInstances: { mutating: true, resources: instanceCount, run: inst.changeState("terminate") },
  CreateTags: { mutating: true, run: inst.createTags },
  GetConsoleOutput: { mutating: false, run: getConsoleOutput },
};
