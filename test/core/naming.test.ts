import { increment, nextFreeName, nextWorkerNames, workerName, workerNumber } from "../../src/naming";

describe("increment", () => {
  it.each([
    ["dask", "dask-1"],
    ["worker-009", "worker-010"],
    ["worker-099", "worker-100"],
    ["worker-999", "worker-1000"],
    ["cloudmesh01-test00", "cloudmesh01-test01"],
    ["a12b034", "a12b035"],
    ["dask-1", "dask-2"],
    ["x9", "x10"],
    ["v2-final", "v3-final"],
  ])("%s → %s", (from, to) => expect(increment(from)).toBe(to));
});

describe("worker names", () => {
  it("are zero-padded to 3 digits and widen past 999", () => {
    expect(workerName("demo", 7)).toBe("demo-worker-007");
    expect(workerName("demo", 1000)).toBe("demo-worker-1000");
    expect(workerNumber("demo", "demo-worker-1000")).toBe(1000);
    expect(workerNumber("demo", "other-worker-001")).toBeUndefined();
    expect(workerNumber("demo", "demo-scheduler")).toBeUndefined();
  });

  it("continue after the highest existing number, terminated ones included", () => {
    const existing = ["demo-scheduler", "demo-worker-001", "demo-worker-005"];
    expect(nextWorkerNames("demo", existing, 3)).toEqual(["demo-worker-006", "demo-worker-007", "demo-worker-008"]);
    expect(nextWorkerNames("demo", [], 2)).toEqual(["demo-worker-001", "demo-worker-002"]);
    expect(nextWorkerNames("demo", ["demo-worker-998"], 3)).toEqual([
      "demo-worker-999",
      "demo-worker-1000",
      "demo-worker-1001",
    ]);
  });

  it("never repeat an existing name", () => {
    const existing = Array.from({ length: 50 }, (_, i) => workerName("c", i * 3 + 1));
    const fresh = nextWorkerNames("c", existing, 100);
    expect(new Set([...existing, ...fresh]).size).toBe(150);
  });

  it("are valid GCP (RFC 1035) and Azure names for the longest cluster name", () => {
    const cluster = "a".repeat(40);
    for (const name of [workerName(cluster, 10000), `${cluster}-scheduler`]) {
      expect(name).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
    }
  });
});

describe("nextFreeName", () => {
  it("keeps a free name and increments a taken one until free", () => {
    expect(nextFreeName("dask", new Set())).toBe("dask");
    expect(nextFreeName("dask", new Set(["dask", "dask-1", "dask-2"]))).toBe("dask-3");
    expect(nextFreeName("run09", new Set(["run09"]))).toBe("run10");
  });
});
