// The driver contract: ONE table of cases (a node in a state, a verb → the result; a fault → the error kind), run
// against every driver through its fake, calling the Provider interface directly — the driver obtained through
// src/providers/index.ts as the command layer obtains it. What a driver answers for a node it does not act on is
// what src/apply/lifecycle-table.ts decides; a cloud fault is the same CloudError kind (src/errors.ts) on every cloud.
// The CLI-level scenarios are in test/conformance/. CONFORMANCE_PROVIDERS=aws,gcp picks providers (default: all).
import { type Decision, decide, type LifecycleVerb } from "../../src/apply/lifecycle-table";
import { applyPlan } from "../../src/apply/up";
import { errorKind, type CloudErrorKind } from "../../src/errors";
import type { NodeInfo, NodeResult, Provider } from "../../src/providers/provider";
import { CLUSTER_TAG } from "../../src/providers/provider";
import type { ProviderName } from "../../src/spec/schema";
import type { FakeCloud, Fault } from "../fakes/harness";
import { cloudSide, type CloudSide } from "../conformance/cloud-side";
import {
  driverFor,
  loadedSpec,
  planFor,
  publicKeyFile,
  recorder,
  specDocument,
  startFake,
} from "../support/fake-cloud";

const PROVIDERS = (process.env.CONFORMANCE_PROVIDERS ?? "aws,gcp,azure").split(",").filter(Boolean) as ProviderName[];

/** The state a node is brought to before the verb, through the driver itself, from a fresh running node. */
type Given = "running" | "stopped" | "terminated" | "never existed";

interface LifecycleCase {
  given: Given;
  verb: LifecycleVerb;
  /**
   * What the driver must answer. "table": the lifecycle table's decision for the node as the cloud lists it just
   * before the call — or, when the cloud no longer lists it, "already terminated" (ok) for terminate and "not found"
   * for stop and start. Otherwise the verb done: its message and the state the cloud then lists.
   */
  answer: "table" | { message: RegExp; state: "running" | "stopped" | "gone" };
}

// A verb done is reported as such ("stopped", "started", "terminated"; Azure adds "(deallocated)", AWS the address).
const LIFECYCLE: LifecycleCase[] = [
  { given: "running", verb: "stop", answer: { message: /^stopped\b/, state: "stopped" } },
  { given: "stopped", verb: "stop", answer: "table" },
  { given: "stopped", verb: "start", answer: { message: /^started\b/, state: "running" } },
  { given: "running", verb: "start", answer: "table" },
  { given: "running", verb: "terminate", answer: { message: /^terminated\b/, state: "gone" } },
  { given: "stopped", verb: "terminate", answer: { message: /^terminated\b/, state: "gone" } },
  { given: "terminated", verb: "terminate", answer: "table" },
  { given: "terminated", verb: "start", answer: "table" },
  { given: "terminated", verb: "stop", answer: "table" },
  { given: "never existed", verb: "stop", answer: "table" },
  { given: "never existed", verb: "start", answer: "table" },
];

const PAST: Record<LifecycleVerb, string> = { stop: "stopped", start: "started", terminate: "terminated" };

/** What a driver answers for a node the cloud does not list (any more). */
const UNLISTED: Record<LifecycleVerb, Decision> = {
  terminate: { act: false, ok: true, message: "already terminated" },
  stop: { act: false, ok: false, message: "not found" },
  start: { act: false, ok: false, message: "not found" },
};

interface FaultCase {
  fault: Fault;
  /** The CloudError kind every driver reports when `launch` meets the fault on every placement it may try. */
  kind: CloudErrorKind;
}

const FAULTS: FaultCase[] = [
  { fault: { kind: "quota" }, kind: "quota" },
  { fault: { kind: "capacity" }, kind: "capacity" },
];

const userData = () => "#cloud-config\n";

describe.each(PROVIDERS)("%s driver contract", (provider) => {
  let fake: FakeCloud;
  let driver: Provider;
  let restore: () => void;
  let side: CloudSide;
  const keyFile = publicKeyFile();
  let clusters = 0;
  /** Every case gets a cluster of its own: any one runs alone (-t), and none sees another's state. */
  const freshName = (what: string) => `k${++clusters}-${what.replace(/[^a-z]+/g, "-").slice(0, 20)}`.replace(/-$/, "");

  beforeAll(async () => {
    fake = await startFake(provider);
    ({ driver, restore } = await driverFor(fake));
    side = cloudSide(fake);
  });
  afterAll(async () => {
    restore?.();
    await fake?.close();
  });
  afterEach(() => fake.clearFaults());

  const specOf = (cluster: string, workers = 0) => loadedSpec(specDocument(fake, cluster, workers, keyFile));

  /** `up` through the core's own apply step, without the command around it; returns the nodes as listed. */
  async function up(cluster: string, workers = 0): Promise<NodeInfo[]> {
    const plan = await planFor(driver, specOf(cluster, workers));
    await driver.preflight(plan);
    await applyPlan(plan, driver, [], userData, recorder());
    return driver.listNodes(cluster);
  }

  const listed = async (node: NodeInfo) => (await driver.listNodes(node.cluster)).find((n) => n.id === node.id);

  /** A scheduler-only cluster's node brought to `given`, as the caller last saw it listed. */
  async function nodeIn(given: Given, cluster: string): Promise<{ node: NodeInfo; running: NodeInfo }> {
    const [running] = await up(cluster);
    return { node: await bring(running, given), running };
  }

  async function bring(node: NodeInfo, given: Given): Promise<NodeInfo> {
    if (given === "running") return node;
    if (given === "never existed") {
      const name = `${node.cluster}-worker-999`;
      const id = provider === "aws" ? "i-0000000000000dead" : node.id.replace(node.name, name);
      return { ...node, role: "worker", name, id };
    }
    const verb = given === "stopped" ? "stop" : "terminate";
    const [r] = await driver[verb]([node], recorder());
    expect(r.ok).toBe(true);
    return (await listed(node)) ?? node;
  }

  describe.each(LIFECYCLE)("$verb a $given node", ({ given, verb, answer }) => {
    const says =
      answer === "table"
        ? "answers as the lifecycle table decides"
        : `reports it ${PAST[verb]}, and the cloud lists it ${answer.state}`;
    it(says, async () => {
      const cluster = freshName(`${verb}-${given}`);
      const { node, running } = await nodeIn(given, cluster);
      const before = await listed(node);
      const [result] = await driver[verb]([node], recorder());
      const after = await listed(node);

      if (answer === "table") {
        const d = before ? decide(verb, before) : UNLISTED[verb];
        expect(d.act).toBe(false);
        if (!d.act) expect([result.ok, result.message]).toEqual([d.ok, d.message]);
        expect(after?.state).toBe(before?.state);
      } else {
        expect([result.ok, result.message]).toEqual([true, expect.stringMatching(answer.message)]);
        if (answer.state === "gone") expect(after === undefined || after.state === "terminated").toBe(true);
        else expect(after?.state).toBe(answer.state);
        if (answer.state === "stopped" && provider !== "azure") expect(after?.publicIp).toBeUndefined();
        if (answer.state === "running") {
          expect(after?.publicIp).toBeTruthy();
          // A Standard public IP is static on Azure and survives deallocation; EC2 and GCP hand out a new one.
          if (provider !== "azure") expect(after?.publicIp).not.toBe(running.publicIp);
        }
      }
      await teardown(cluster);
    });
  });

  it("the result of an acted-on node reports the node as the cloud has it afterwards", async () => {
    const [node] = await up(freshName("result node"));
    const [stopped] = await driver.stop([node], recorder());
    expect(stopped.node?.state).toBe("stopped");
    const [started] = await driver.start([stopped.node ?? node], recorder());
    expect(started.node).toMatchObject({ state: "running", publicIp: (await listed(node))?.publicIp });
    await teardown(node.cluster);
  });

  it("terminate then deleteClusterResources leaves nothing tagged with the cluster: VMs, firewall, disks, addresses", async () => {
    const cluster = freshName("teardown");
    const nodes = await up(cluster, 1);
    expect(fake.resources().some((r) => r.tags[CLUSTER_TAG] === cluster)).toBe(true); // the firewall/SG/NSG at least
    const results = await driver.terminate(nodes, recorder());
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    await driver.deleteClusterResources(cluster);
    expect(await driver.leftovers(cluster)).toEqual([]);
    expect(fake.resources().filter((r) => r.tags[CLUSTER_TAG] === cluster)).toEqual([]);
    expect((await driver.listNodes(cluster)).filter((n) => n.state !== "terminated")).toEqual([]);
  });

  it("lists only VMs carrying the ownership tag, with the cluster's tag and a node's name or not", async () => {
    const cluster = freshName("owned only");
    const [node] = await up(cluster);
    const unowned = `${cluster}-worker-001`;
    await side.createUnownedVm(cluster, unowned, node);
    const everywhere = await driver.listNodes();
    const mine = await driver.listNodes(cluster);
    // On Azure the unowned VM is the node itself, its ownership tag removed: then nothing of the cluster is listed.
    const owned = provider === "azure" ? [] : [node.name];
    expect(mine.map((n) => n.name)).toEqual(owned);
    expect(everywhere.filter((n) => n.cluster === cluster).map((n) => n.name)).toEqual(owned);
  });

  it("a same-named firewall/security group/NSG made by someone else is the ownership error, before any change", async () => {
    const cluster = freshName("foreign firewall");
    await side.createForeign(cluster);
    const since = fake.calls.length;
    const err = await up(cluster).catch((e: unknown) => e);
    expect(errorKind(err)).toBe("CloudError");
    expect(err).toMatchObject({ kind: "invalid", code: "ForeignResource" });
    expect(fake.calls.slice(since).filter((c) => c.mutating)).toEqual([]);
  });

  // EC2 names nothing after a node (instances are found by tags): there is no such resource to meet.
  (provider === "aws" ? it.skip : it)(
    "a resource someone else made under a node's name is the ownership error, before any change",
    async () => {
      const cluster = freshName("foreign node");
      await side.createForeignNodeResource!(`${cluster}-scheduler`);
      const since = fake.calls.length;
      const err = await up(cluster).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: "invalid", code: "ForeignResource" });
      expect(fake.calls.slice(since).filter((c) => c.mutating)).toEqual([]);
    },
  );

  describe.each(FAULTS)("a $fault.kind fault on every launch", ({ fault, kind }) => {
    it(`is a CloudError of kind ${kind}`, async () => {
      const cluster = freshName(`fault ${fault.kind}`);
      const plan = await planFor(driver, specOf(cluster));
      await driver.preflight(plan);
      await driver.ensureNetwork(plan);
      fake.inject(fault);
      const err = await applyPlan(plan, driver, [], userData, recorder()).catch((e: unknown) => e);
      expect(errorKind(err)).toBe("CloudError");
      expect(err).toMatchObject({ kind });
      fake.clearFaults();
      await teardown(cluster);
    });
  });

  it("throttling that outlasts the retries is a CloudError of kind throttled", async () => {
    // Fewer SDK attempts on AWS, whose backoff would otherwise take a minute; GCP and Azure retry as they always do.
    const other = await driverFor(fake, { ...fake.env, AWS_MAX_ATTEMPTS: "2" });
    fake.inject({ kind: "throttle" });
    try {
      const err = await other.driver.listNodes().catch((e: unknown) => e);
      expect(errorKind(err)).toBe("CloudError");
      expect(err).toMatchObject({ kind: "throttled" });
    } finally {
      fake.clearFaults();
      other.restore();
    }
  });

  it("credentials the cloud rejects are a CloudError of kind auth", async () => {
    const other = await driverFor(fake, fake.badCredentialsEnv);
    try {
      const err = await other.driver.listNodes().catch((e: unknown) => e);
      expect(errorKind(err)).toBe("CloudError");
      expect(err).toMatchObject({ kind: "auth" });
    } finally {
      other.restore();
    }
  });

  async function teardown(cluster: string): Promise<NodeResult[]> {
    const live = (await driver.listNodes(cluster)).filter((n) => n.state !== "terminated");
    const results = await driver.terminate(live, recorder());
    await driver.deleteClusterResources(cluster);
    expect(await driver.leftovers(cluster)).toEqual([]);
    return results;
  }
});
