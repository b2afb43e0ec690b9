// DescribeInstances for listNodes, reading only what a NodeInfo needs. A 1 + 1000 cluster's listing is 2.7 MB of
// XML (each instance item carries some 90 members: devices, interfaces, options); the SDK parses it and then walks
// its schema over every member of every instance, which measured ~450 ms of CPU plus most of the garbage collection
// of a 1 + 1000 `status` (node --cpu-prof). So one middleware, placed just inside the SDK's deserializer, reads a
// successful page's body with the SDK's own XML parser (@aws-sdk/xml-builder) into the members below and hands the
// deserializer an empty body, from which it makes the usual `{ $metadata }`. Everything else is the SDK's: signing,
// endpoint, credentials, retries (the middleware runs inside each attempt), and error responses, whose bodies are
// left alone for the SDK to map. Reference for the wire names:
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Instance.html
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  type DescribeInstancesCommandOutput,
  type EC2Client,
  type Instance,
} from "@aws-sdk/client-ec2";
import { parseXML } from "@aws-sdk/xml-builder";
import { collectBody } from "@smithy/core/protocols";
import type { DeserializeMiddleware, HttpResponse, Pluggable } from "@smithy/types";

/** The members of an Instance that toNodeInfo reads: its parameter type, so reading another one fails to compile. */
export type NodeFields = Pick<
  Instance,
  | "InstanceId"
  | "State"
  | "StateReason"
  | "InstanceType"
  | "Placement"
  | "PublicIpAddress"
  | "PrivateIpAddress"
  | "LaunchTime"
  | "InstanceLifecycle"
  | "AmiLaunchIndex"
  | "Tags"
>;

interface Page {
  instances: NodeFields[];
  nextToken?: string;
}

/** Every page of a DescribeInstances listing, each instance as its NodeFields. */
export async function describeNodeFields(ec2: EC2Client, input: DescribeInstancesCommandInput): Promise<NodeFields[]> {
  const out: NodeFields[] = [];
  let NextToken: string | undefined;
  do {
    const page: Page = { instances: [] };
    const command = new DescribeInstancesCommand({ ...input, NextToken });
    command.middlewareStack.use(readPageInto(page, ec2.config));
    await ec2.send(command);
    out.push(...page.instances);
    NextToken = page.nextToken;
  } while (NextToken);
  return out;
}

type Input = DescribeInstancesCommandInput;
type Output = DescribeInstancesCommandOutput;

function readPageInto(page: Page, config: EC2Client["config"]): Pluggable<Input, Output> {
  const read: DeserializeMiddleware<Input, Output> = (next) => async (args) => {
    const result = await next(args);
    const response = result.response as HttpResponse;
    // The SDK treats 300 and up as an error response.
    if (response.statusCode < 300) {
      Object.assign(page, readPage(config.utf8Encoder(await collectBody(response.body, config))));
      response.body = new Uint8Array();
    }
    return result;
  };
  return {
    applyToStack: (stack) =>
      stack.addRelativeTo(read, {
        relation: "after",
        toMiddleware: "deserializerMiddleware",
        name: "cloudlaunchNodeFields",
      }),
  };
}

type Element = Record<string, unknown>;
const element = (v: unknown): Element | undefined => (v && typeof v === "object" ? (v as Element) : undefined);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
/** `<xSet><item>…</item></xSet>` as the parser gives it: one item is an object, several an array, none "". */
const items = (set: unknown): Element[] => {
  const item = element(set)?.item;
  return (Array.isArray(item) ? item : item === undefined ? [] : [item]).map((i) => element(i) ?? {});
};

export function readPage(xml: string): Page {
  const root = element(Object.values(parseXML(xml))[0]) ?? {};
  return {
    instances: items(root.reservationSet).flatMap((r) => items(r.instancesSet).map(nodeFieldsOf)),
    nextToken: text(root.nextToken) || undefined,
  };
}

function nodeFieldsOf(item: Element): NodeFields {
  const state = element(item.instanceState);
  const reason = element(item.stateReason);
  const placement = element(item.placement);
  const launchTime = text(item.launchTime);
  const launchIndex = text(item.amiLaunchIndex);
  return {
    InstanceId: text(item.instanceId),
    State: state && { Name: text(state.name) as NonNullable<Instance["State"]>["Name"] },
    StateReason: reason && { Message: text(reason.message) },
    InstanceType: text(item.instanceType) as Instance["InstanceType"],
    Placement: placement && { AvailabilityZone: text(placement.availabilityZone) },
    PublicIpAddress: text(item.ipAddress),
    PrivateIpAddress: text(item.privateIpAddress),
    LaunchTime: launchTime ? new Date(launchTime) : undefined,
    InstanceLifecycle: text(item.instanceLifecycle) as Instance["InstanceLifecycle"],
    AmiLaunchIndex: launchIndex ? Number(launchIndex) : undefined,
    Tags: items(item.tagSet).map((t) => ({ Key: text(t.key), Value: text(t.value) })),
  };
}
