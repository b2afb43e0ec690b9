// up: read the spec, plan against what exists, then launch or converge (or, with --dryrun, only show the plan).
import { homedir } from "node:os";
import { resolve as resolvePath } from "node:path";
import { typesIn } from "../catalog/catalog.js";
import { planCluster } from "../plan/plan.js";
import { assertWithinBudget } from "../plan/budget.js";
import { applyPriceSource, spotCandidates, withLiveSpot } from "../plan/live-prices.js";
import type { Plan } from "../plan/types.js";
import { loadSpecFile } from "../spec/load.js";
import type { ResolvedSpec } from "../spec/schema.js";
import { nextFreeName, workerNumber } from "../naming.js";
import { hasLocalCredentials, loadProvider } from "../providers/index.js";
import type { NodeInfo, Provider } from "../providers/provider.js";
import { lockCluster } from "../cluster-lock.js";
import { allRecords, assertRecordWritable, readRecord, writeRecord } from "../records.js";
import { guard } from "../apply/guard.js";
import { applyPlan, type UserDataFor } from "../apply/up.js";
import { assertConverged, settlePending } from "../apply/settle.js";
import { userDataRenderer } from "../apply/userdata.js";
import { checkBeforeLaunch } from "../apply/validate.js";
import { makeOutput } from "../render/output.js";
import { planJson, planText } from "../render/plan.js";
import { startProgress } from "../render/progress.js";
import { clusterAccessText, clusterJson } from "../render/status.js";
import { isUsable, waitForDaskCluster, waitTimeout } from "./up-wait.js";
import { readyJson, readyText } from "../render/dask.js";
import { clientContract, clientJson } from "../bootstrap/client-contract.js";
import type { Settings } from "../settings.js";

export interface UpOptions {
  json?: boolean;
  dryrun?: boolean;
  increment?: boolean;
  terminateSurplus?: boolean;
  offline?: boolean;
  /** false with --no-wait. */
  wait?: boolean;
  waitTimeout?: string;
}

export async function up(specFile: string, options: UpOptions, settings: Settings): Promise<number> {
  const out = makeOutput(!!options.json);
  const { spec: loaded, warnings, problemAt, locate } = loadSpecFile(specFile, "launch", settings);
  for (const w of warnings) out.warn(w);
  if (loaded.security === false) out.warn("security: false — Dask traffic is unencrypted and unauthenticated");
  const dryrun = !!options.dryrun || !!options.offline;
  // Read before anything is launched: a bad --wait-timeout is a usage error, not a surprise after the launch.
  const wait = waitTimeout(options, settings.dask);
  const fresh = planCluster(loaded, typesIn(loaded.provider, loaded.region, settings.catalogDir), []);
  // One validation path, the same for up and --dryrun (offline or online), all of it before the first cloud call
  // and the first mutation (cloud, local record, CA): the spec (above), then the user data of every candidate type.
  await checkBeforeLaunch(fresh, problemAt);
  // A dry run calls the cloud only when credentials are configured locally: CI validating specs needs none.
  const online = !options.offline && (!dryrun || (await hasLocalCredentials(loaded.provider, settings.env)));
  const spot = !!(loaded.scheduler.spot || loaded.workers.spot);
  // A fresh cluster's cost is known without the cloud (unless live spot prices will decide it): a spec over its
  // budget fails before any call.
  if (!online || !spot) assertWithinBudget(fresh, specFile, locate);
  const provider = online ? await loadProvider(loaded, settings) : undefined;

  const spec = { ...loaded, name: await clusterName(loaded, provider, !!options.increment, settings.home) };
  if (spec.name !== loaded.name) out.info(`cluster ${loaded.name} exists; planning a new cluster ${spec.name}`);
  if (!dryrun) {
    // Before the cluster is observed, so a second up plans against what the first one left; held until exit.
    await lockCluster(spec.name, (m) => out.info(m), settings);
    assertRecordWritable(spec.name, settings.home);
  }
  const existing = provider ? await observe(provider, spec.name, dryrun, out, settings.pending) : [];
  const record = readRecord(spec.name, settings.home);
  const catalog = typesIn(spec.provider, spec.region, settings.catalogDir);
  const live = provider && spot ? await provider.spotPrices?.(spotCandidates(spec, catalog)) : undefined;
  const types = withLiveSpot(catalog, live, spec.zone);
  const plan = applyPriceSource(
    planCluster(spec, types, existing, {
      terminateSurplus: options.terminateSurplus,
      takenNames: record?.lastWorker ? [record.lastWorker] : [],
    }),
    spec.provider,
    live,
  );
  assertWithinBudget(plan, specFile, locate);
  // The scheduler's user data names the cluster, and live spot prices can reorder the candidates: a plan that
  // differs from the one checked above is checked again (still before any mutation).
  if (spec.name !== loaded.name || live !== undefined) await checkBeforeLaunch(plan, problemAt);
  for (const w of plan.warnings) out.warn(w);
  if (provider) await provider.preflight(plan);

  if (dryrun) {
    const offline = options.offline ? "offline (--offline)" : `offline: no ${spec.provider} credentials found`;
    return preview(plan, provider, existing, await userDataRenderer(plan, true), out, provider ? undefined : offline);
  }
  // Only now, every check passed: the CA is created (or loaded) and the record written.
  const userDataFor = await userDataRenderer(plan, false, settings.env);

  const number = (name?: string) => (name ? (workerNumber(spec.name, name) ?? 0) : 0);
  const lastWorker = [record?.lastWorker, ...plan.nodes.map((n) => n.name)].reduce(
    (a, b) => (number(b) > number(a) ? b : a),
    undefined,
  );
  writeRecord(
    {
      name: spec.name,
      provider: spec.provider,
      region: spec.region,
      zone: spec.zone,
      gcp: spec.gcp,
      azure: spec.azure,
      specFile,
      security: spec.security,
      createdAt: record?.createdAt ?? new Date().toISOString(),
      lastWorker,
      ssh: spec.ssh && { ...spec.ssh, public_key_file: absolutePath(spec.ssh.public_key_file) },
      client: clientContract(spec),
    },
    settings.home,
  );
  if (!out.json) out.info(planText(plan, out));
  const progress = await startProgress(out, `launching ${spec.name}`);
  const applied = await applyPlan(plan, provider!, existing, userDataFor, progress);
  for (const change of applied.networkChanges) progress.note(change);
  if (!applied.networkChanges.length && plan.nodes.every((n) => n.action === "keep" || n.action === "surplus")) {
    progress.note(`${spec.name} is up to date: nothing to change, no change was made`);
  }
  const listed = await provider!.listNodes(spec.name);
  assertConverged(plan, listed);
  const nodes = listed.filter((n) => n.state !== "terminated");
  progress.done(`${spec.name}: ${nodes.filter((n) => n.state === "running").length}/${nodes.length} running`);
  const report = await waitForDaskCluster(provider!, spec.name, nodes, wait, out, settings.dask);
  const client = clientContract(spec);
  if (out.json) {
    const dask = report ? { dask: readyJson(report) } : {};
    const cluster = clusterJson(spec.name, spec, nodes, settings.home);
    out.print(
      JSON.stringify(
        { ...planJson(plan, { dryrun: false, offline: false }), ...cluster, ...dask, client: clientJson(client) },
        null,
        2,
      ),
    );
  } else {
    out.print(clusterAccessText(spec.name, nodes, settings.home, spec.security, client));
    if (report) out.print(`\n${readyText(report, wait.label)}`);
  }
  return report && !isUsable(report) ? 1 : 0;
}

/** As the drivers read it (~ expanded, relative to the working directory), so `ssh` finds it from anywhere. */
function absolutePath(file: string | undefined): string | undefined {
  return file === undefined ? undefined : resolvePath(file.replace(/^~(?=$|\/)/, homedir()));
}

/** What exists, once nodes caught half-way had their bounded time to settle (not in a dry run: it only looks). */
async function observe(
  provider: Provider,
  cluster: string,
  dryrun: boolean,
  out: ReturnType<typeof makeOutput>,
  pending: Settings["pending"],
): Promise<NodeInfo[]> {
  const nodes = await provider.listNodes(cluster);
  if (dryrun || !nodes.some((n) => n.state === "pending" || n.state === "stopping")) return nodes;
  const progress = await startProgress(out, `${cluster}: waiting for nodes an earlier run left pending`);
  const settled = await settlePending(provider, cluster, nodes, progress, pending);
  progress.done();
  return settled;
}

async function clusterName(
  spec: ResolvedSpec,
  provider: Provider | undefined,
  increment: boolean,
  home: string,
): Promise<string> {
  if (!increment) return spec.name;
  // Offline, only the local records say which names are taken.
  const taken = provider ? (await provider.listNodes()).map((n) => n.cluster) : allRecords(home).map((r) => r.name);
  return nextFreeName(spec.name, new Set(taken));
}

async function preview(
  plan: Plan,
  provider: Provider | undefined,
  existing: NodeInfo[],
  userDataFor: UserDataFor,
  out: ReturnType<typeof makeOutput>,
  offline: string | undefined,
): Promise<number> {
  const skipped: string[] = [];
  if (provider) {
    const guarded = guard(provider, { dryrun: true, checkPermissions: true, onSkipped: (d) => skipped.push(d) });
    await applyPlan(plan, guarded, existing, userDataFor, { update() {}, note: (m) => out.info(m) });
  }
  if (out.json) {
    out.print(
      JSON.stringify(
        planJson(plan, { dryrun: true, offline: !!offline, skipped: provider ? skipped : undefined }),
        null,
        2,
      ),
    );
    return 0;
  }
  const how = offline
    ? `dry run, ${offline}, so nothing was called and no existing nodes were considered`
    : "dry run: nothing was changed";
  out.print(`${planText(plan, out)}\n(${how})`);
  if (skipped.length) out.print(`Would:\n${skipped.map((s) => `  - ${s}`).join("\n")}`);
  return 0;
}
