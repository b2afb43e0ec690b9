// DescribeInstances for listNodes, reading only what a NodeInfo needs. A 1 + 1000 cluster's listing is ~4.7 MB of
// XML (an instance item carries dozens of members: interfaces, devices, options). The SDK parses it into a tree with
// its own XML parser, then walks its schema over every member of every instance: measured (node --cpu-prof) ~450 ms
// of CPU and most of the garbage collection of a 1 + 1000 `status`, half in each. So one middleware, placed just
// inside the SDK's deserializer, reads a successful page's body with a streaming parser (saxes: no tree, 3-4× faster
// than the SDK's parser on this listing) into the members below, and hands the deserializer an empty body, from
// which it makes the usual `{ $metadata }`. Everything else is the SDK's: signing, endpoint, credentials, retries
// (the middleware runs inside each attempt), and error responses, whose bodies are left alone for the SDK to map.
// Wire names: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Instance.html
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  type DescribeInstancesCommandOutput,
  type EC2Client,
  type Instance,
  type InstanceStateName,
} from "@aws-sdk/client-ec2";
import { SaxesParser } from "saxes";
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
    command.middlewareStack.use(readPageInto(page));
    await ec2.send(command);
    out.push(...page.instances);
    NextToken = page.nextToken;
  } while (NextToken);
  return out;
}

type Input = DescribeInstancesCommandInput;
type Output = DescribeInstancesCommandOutput;

function readPageInto(page: Page): Pluggable<Input, Output> {
  const read: DeserializeMiddleware<Input, Output> = (next) => async (args) => {
    const result = await next(args);
    const response = result.response as HttpResponse;
    // The SDK treats 300 and up as an error response.
    if (response.statusCode < 300) {
      Object.assign(page, await readPage(response.body));
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

/** Where the reader is: the names of the open elements, the text of the innermost, the instance being read. */
interface Cursor {
  names: string[];
  text: string;
  instance?: NodeFields & { Tags: { Key?: string; Value?: string }[] };
}

// DescribeInstancesResponse > reservationSet > item > instancesSet > item: an instance is at depth 5.
const INSTANCE_DEPTH = 5;

/**
 * Parses the body as it arrives (Node's handler gives a Readable): no copy of the whole document is collected, and
 * the SDK's collector, which loads Node's web streams to check the body's type (~25 ms), is not needed.
 */
async function readPage(body: AsyncIterable<Uint8Array>): Promise<Page> {
  const page: Page = { instances: [] };
  const at: Cursor = { names: [], text: "" };
  const parser = new SaxesParser();
  parser.on("opentag", ({ name }) => {
    at.names.push(name);
    at.text = "";
    const { names } = at;
    if (
      names.length === INSTANCE_DEPTH &&
      name === "item" &&
      names[3] === "instancesSet" &&
      names[1] === "reservationSet"
    ) {
      at.instance = { Tags: [] };
      page.instances.push(at.instance);
    } else if (at.instance && names.length === INSTANCE_DEPTH + 2 && name === "item" && names[5] === "tagSet") {
      at.instance.Tags.push({});
    }
  });
  parser.on("text", (t) => {
    at.text += t;
  });
  parser.on("cdata", (t) => {
    at.text += t;
  });
  parser.on("closetag", ({ name }) => {
    const depth = at.names.length;
    if (depth === 2 && name === "nextToken") page.nextToken = at.text || undefined;
    else if (at.instance && depth > INSTANCE_DEPTH) readMember(at.instance, at.names, at.text);
    else if (depth === INSTANCE_DEPTH) at.instance = undefined;
    at.names.pop();
    at.text = "";
  });
  const utf8 = new TextDecoder();
  for await (const chunk of body) parser.write(utf8.decode(chunk, { stream: true }));
  parser.write(utf8.decode()).close();
  return page;
}

/** One closing element inside an instance item: `names` is its path from the document's root. */
function readMember(inst: NonNullable<Cursor["instance"]>, names: string[], text: string) {
  const name = names[names.length - 1];
  switch (names.length - INSTANCE_DEPTH) {
    case 1:
      if (name === "instanceId") inst.InstanceId = text;
      else if (name === "instanceType") inst.InstanceType = text as Instance["InstanceType"];
      else if (name === "ipAddress") inst.PublicIpAddress = text;
      else if (name === "privateIpAddress") inst.PrivateIpAddress = text;
      else if (name === "launchTime") inst.LaunchTime = new Date(text);
      else if (name === "instanceLifecycle") inst.InstanceLifecycle = text as Instance["InstanceLifecycle"];
      else if (name === "amiLaunchIndex") inst.AmiLaunchIndex = Number(text);
      break;
    case 2: {
      const parent = names[INSTANCE_DEPTH];
      if (parent === "instanceState" && name === "name") inst.State = { Name: text as InstanceStateName };
      else if (parent === "stateReason" && name === "message") inst.StateReason = { Message: text };
      else if (parent === "placement" && name === "availabilityZone") inst.Placement = { AvailabilityZone: text };
      break;
    }
    case 3: {
      const tag = names[INSTANCE_DEPTH] === "tagSet" ? inst.Tags[inst.Tags.length - 1] : undefined;
      if (tag && name === "key") tag.Key = text;
      else if (tag && name === "value") tag.Value = text;
      break;
    }
  }
}
