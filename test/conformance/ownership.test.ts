// Never touch what cloudlaunch did not make; converge what it did. The built CLI against each cloud's fake through
// the real SDK: a same-named resource someone else made, allowed_cidrs narrowed and widened, and a no-op `up`
// whose call log holds no mutating call. CONFORMANCE_PROVIDERS=aws,gcp picks providers (default: all three).
import type { ProviderName } from "../../src/spec/schema";
import { cloudSide, PORTS, type CloudSide } from "./cloud-side";
import { startWorld, type World } from "./world";

// Each scenario spawns the CLI several times; GCP's SDK alone takes seconds to load on a busy machine.
jest.setTimeout(180_000);

const PROVIDERS = (process.env.CONFORMANCE_PROVIDERS ?? "aws,gcp,azure").split(",").filter(Boolean) as ProviderName[];
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
const admitting = (cidrs: string[]) => Object.fromEntries(PORTS.map((port) => [port, [...cidrs].sort()]));

describe.each(PROVIDERS)("%s", (provider) => {
  let w: World;
  let side: CloudSide;
  beforeAll(async () => {
    w = await startWorld(provider);
    side = cloudSide(w.fake);
  });
  afterAll(() => w?.close());

  it("a same-named firewall resource made by someone else stops up before any change and survives terminate", async () => {
    await side.createForeign("foreign");
    const before = await side.readForeign("foreign");
    // On Azure without a spec subnet, so the VNet cloudlaunch would make is in play too.
    const spec = w.spec("foreign", 1, provider === "azure" ? { network: { allowed_cidrs: ["203.0.113.10/32"] } } : {});
    const since = w.fake.calls.length;
    const up = await w.run(["up", spec]);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/(cloudlaunch-foreign|foreign-nsg).*not made by cloudlaunch for cluster foreign/);
    expect(up.stderr).toMatch(/Rename the cluster.*delete or rename that resource/);
    noStack(up.stderr);
    expect(w.mutatingSince(since)).toEqual([]);
    expect(w.live("foreign")).toEqual([]);

    const dry = await w.run(["up", spec, "--dryrun"]);
    expect(dry.code).toBe(1); // preflight reads see it too

    const terminate = await w.run(["terminate", "foreign", "--yes", "--spec", spec]);
    expect(terminate.code).toBe(0);
    expect(await side.readForeign("foreign")).toEqual(before);
  });

  it("a resource someone else made under a node's name stops up before any change (where resources carry node names)", async () => {
    if (!side.createForeignNodeResource) return; // AWS: instances are found by tags, nothing is named after a node
    const read = await side.createForeignNodeResource("named-scheduler");
    const before = await read();
    const since = w.fake.calls.length;
    const up = await w.run(["up", w.spec("named", 1)]);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/named-scheduler.*not made by cloudlaunch for cluster named/);
    noStack(up.stderr);
    expect(w.mutatingSince(since)).toEqual([]);
    expect(await read()).toEqual(before);
  });

  it("narrowing and widening allowed_cidrs is reflected exactly in the cloud's rules", async () => {
    const spec = (cidrs: string[]) =>
      w.spec("conv", 1, { network: { subnet: w.fake.spec.subnet, allowed_cidrs: cidrs } });
    expect((await w.run(["up", spec(["203.0.113.10/32"])])).code).toBe(0);
    expect(await side.admitted("conv")).toEqual(admitting(["203.0.113.10/32"]));

    const widened = ["198.51.100.0/24", "203.0.113.10/32"];
    const widen = await w.run(["up", spec(widened)]);
    expect(widen.code).toBe(0);
    expect(widen.stderr).not.toContain("up to date");
    expect(await side.admitted("conv")).toEqual(admitting(widened));

    const narrow = await w.run(["up", spec(["198.51.100.7/32"])]);
    expect(narrow.code).toBe(0);
    expect(await side.admitted("conv")).toEqual(admitting(["198.51.100.7/32"]));
  });

  it("an up whose cluster already matches the spec makes zero mutating calls and says so", async () => {
    const spec = w.spec("conv", 1, { network: { subnet: w.fake.spec.subnet, allowed_cidrs: ["198.51.100.7/32"] } });
    const since = w.fake.calls.length;
    const r = await w.run(["up", spec]);
    expect(r.code).toBe(0);
    expect(w.mutatingSince(since)).toEqual([]);
    expect(r.stderr).toContain("conv is up to date: nothing to change");
  });

  it("terminate removes what cloudlaunch made, and nothing else", async () => {
    const before = await side.readForeign("foreign");
    expect((await w.run(["terminate", "conv", "--yes"])).code).toBe(0);
    expect(w.fake.resources().filter((res) => Object.values(res.tags).includes("conv"))).toEqual([]);
    expect(await side.readForeign("foreign")).toEqual(before);
  });
});
