// Azure only: a VM that powers itself off (max_lifetime's shutdown) stays allocated and billed. status says so and
// stop deallocates it instead of calling it already stopped.
import type { FakeAzure } from "../fakes/azure";
import { startWorld, type World } from "./world";

let w: World;
beforeAll(async () => void (w = await startWorld("azure")));
afterAll(() => w?.close());

it("reports a guest-stopped VM as still billed, and stop deallocates it", async () => {
  expect((await w.run(["up", w.spec("lifetime", 1, { max_lifetime: "1h" })])).code).toBe(0);
  (w.fake as FakeAzure).guestShutdown("lifetime-worker-001");

  const status = JSON.parse((await w.run(["status", "lifetime", "--json"])).stdout);
  const worker = status.nodes.find((n: { name: string }) => n.name === "lifetime-worker-001");
  expect(worker).toMatchObject({ state: "stopped", still_billed: true });
  const text = (await w.run(["status", "lifetime"])).stdout;
  expect(text).toContain("still billed");
  // status reads Resource Graph on Azure, and says it can trail a change.
  expect(text).toContain("status reads Azure Resource Graph, which can trail a change");

  const stop = await w.run(["stop", "lifetime", "worker-001"]);
  expect(stop.code).toBe(0);
  expect(stop.stdout).toContain("worker-001: stopped (deallocated)");
  const after = JSON.parse((await w.run(["status", "lifetime", "--json"])).stdout);
  expect(after.nodes.find((n: { name: string }) => n.name === "lifetime-worker-001").still_billed).toBeUndefined();
  expect((await w.run(["terminate", "lifetime", "--yes"])).code).toBe(0);
});
