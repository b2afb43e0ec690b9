// GCP only: under idle_timeout an idle node deletes itself, as max_lifetime's maxRunDuration does, because a guest
// power-off would only stop it (disk still billed). The node's own scripts, taken from the user data `up` sent,
// run here as systemd's ExecStopPost would run them after the idle exit, against the fake's metadata server and
// Compute API; `systemctl` and `shutdown` are stubs that record their arguments.
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { COMPUTE_SCOPE } from "../../src/providers/gcp/resources";
import { describeWithTools, materialize, parseWithPyYaml, SYSTEM_PATH, TOOLS } from "../bootstrap/tools";
import type { FakeGcp } from "../fakes/gcp/index";
import { startWorld, type World } from "./world";

const IDLE_EXIT = 75;

describeWithTools("GCP idle_timeout deletes the node", [TOOLS.pyyaml], () => {
  let w: World;
  let fake: FakeGcp;
  const work = mkdtempSync(join(tmpdir(), "cloudlaunch-gcp-idle-"));
  beforeAll(async () => {
    w = await startWorld("gcp");
    fake = w.fake as FakeGcp;
  });
  afterAll(async () => {
    await w?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function instance(name: string) {
    const vm = fake.vms().find((v) => v.name === name)!;
    const project = fake.spec.extra.gcp as { project: string };
    const res = await fetch(`${fake.url}/compute/v1/projects/${project.project}/zones/${vm.zone}/instances/${name}`, {
      headers: { authorization: `Bearer ${fake.env.CLOUDLAUNCH_GCP_ACCESS_TOKEN}` },
    });
    return res.json();
  }

  /** The node's files from its user data, then idle-poweroff.sh as ExecStopPost runs it after the idle exit. */
  async function idleExit(name: string) {
    const raw = await instance(name);
    const userData = raw.metadata.items.find((i: { key: string }) => i.key === "user-data").value;
    const root = join(work, name);
    materialize(parseWithPyYaml(userData), root);
    const bin = join(root, "stub-bin");
    const calls = join(root, "calls");
    mkdirSync(bin, { recursive: true });
    for (const tool of ["systemctl", "shutdown"]) {
      writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> '${calls}'\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    const metadata = await fake.metadataServer(name);
    try {
      const run = await promisify(execFile)(
        join(root, "opt/cloudlaunch/idle-poweroff.sh"),
        [join(root, "etc/cloudlaunch")],
        {
          env: {
            PATH: `${bin}:${SYSTEM_PATH}`,
            EXIT_STATUS: String(IDLE_EXIT),
            GCE_METADATA_HOST: metadata.host,
            CLOUDLAUNCH_GCP_COMPUTE_URL: fake.url,
          },
        },
      );
      return { output: run.stdout + run.stderr, calls: existsSync(calls) ? readFileSync(calls, "utf8") : "" };
    } finally {
      await metadata.close();
    }
  }

  async function until(check: () => boolean) {
    while (!check()) await new Promise((r) => setTimeout(r, 20));
  }

  test("the nodes run as a service account that may only use Compute, and only with idle_timeout", async () => {
    expect((await w.run(["up", w.spec("idle", 2, { idle_timeout: "30m" })])).code).toBe(0);
    for (const name of ["idle-scheduler", "idle-worker-001", "idle-worker-002"]) {
      expect((await instance(name)).serviceAccounts).toEqual([
        { email: fake.defaultServiceAccount, scopes: [COMPUTE_SCOPE] },
      ]);
    }
    expect((await w.run(["up", w.spec("busy", 0)])).code).toBe(0);
    expect((await instance("busy-scheduler")).serviceAccounts).toBeUndefined();
    expect((await w.run(["terminate", "busy", "--yes"])).code).toBe(0);
  });

  test("a service account the caller may not use stops `up` before any VM, saying what to grant", async () => {
    const spec = w.spec("nosa", 0, {
      idle_timeout: "30m",
      gcp: { ...(fake.spec.extra.gcp as object), service_account: "dask@elsewhere.iam.gserviceaccount.com" },
    });
    const up = await w.run(["up", spec]);
    expect(up.code).not.toBe(0);
    expect(up.stderr).toContain("roles/iam.serviceAccountUser");
    expect(w.live("nosa")).toEqual([]);
    expect((await w.run(["terminate", "nosa", "--yes"])).code).toBe(0);
  });

  test("an idle worker deletes its own instance and does not power off", async () => {
    const since = fake.calls.length;
    const { output, calls } = await idleExit("idle-worker-001");
    expect(output).toContain("Compute Engine accepted the deletion of idle-worker-001");
    // Only the backstop, should the deletion not take the node down.
    expect(calls).toBe(
      "shutdown -P +10 cloudlaunch: the deletion asked for by idle_timeout has not taken this node down\n",
    );
    expect(fake.calls.slice(since).filter((c) => c.mutating)).toMatchObject([
      { action: "compute.instances.delete", status: 200 },
    ]);
    await until(() => !w.live("idle").some((v) => v.name === "idle-worker-001"));
    const status = JSON.parse((await w.run(["status", "idle", "--json"])).stdout);
    expect(status.nodes.map((n: { name: string }) => n.name).sort()).toEqual(["idle-scheduler", "idle-worker-002"]);
  });

  test("a service account without compute.instances.delete: the node says why and powers off (stopped)", async () => {
    fake.setServiceAccountPermissions(fake.defaultServiceAccount, ["compute.instances.get"]);
    try {
      const { output, calls } = await idleExit("idle-worker-002");
      expect(output).toContain(
        "could not delete idle-worker-002: Required 'compute.instances.delete' permission for 'projects/",
      );
      expect(output).toContain("could not delete itself; powering off (stopped, disk billed)");
      expect(calls).toBe("systemctl poweroff\n");
      expect(w.live("idle").map((v) => v.name)).toContain("idle-worker-002");
    } finally {
      fake.setServiceAccountPermissions(fake.defaultServiceAccount, "*");
    }
    expect((await w.run(["terminate", "idle", "--yes"])).code).toBe(0);
  });
});
