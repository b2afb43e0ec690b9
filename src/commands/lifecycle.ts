// stop / start / terminate <cluster> [nodes...]: per-node results; exit 1 unless every node succeeded.
import { existsSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { CloudError, UsageError } from "../errors.js";
import { guard } from "../apply/guard.js";
import { clusterConfigDir } from "../bootstrap/paths.js";
import { runLifecycle, type LifecycleVerb } from "../apply/lifecycle.js";
import { hasLocalCredentials, loadProvider } from "../providers/index.js";
import type { NodeResult } from "../providers/provider.js";
import { assertRecordWritable, forgetRecord } from "../records.js";
import { makeOutput, type Output } from "../render/output.js";
import { startProgress } from "../render/progress.js";
import { nodeJson } from "../render/status.js";
import { resolveTargets, type TargetFlags } from "./target.js";
import type { Settings } from "../settings.js";

type Options = TargetFlags & { json?: boolean; dryrun?: boolean; yes?: boolean };

export const lifecycle =
  (verb: LifecycleVerb) =>
  async (cluster: string, names: string[], options: Options, settings: Settings): Promise<number> => {
    const out = makeOutput(!!options.json);
    const mustConfirm = verb === "terminate" && !options.dryrun && !options.yes;
    if (mustConfirm && !process.stdin.isTTY) {
      throw new UsageError(`refusing to terminate ${cluster} without confirmation: no terminal to ask on; pass --yes`);
    }
    const target = resolveTargets(cluster, options, settings)[0];
    const real = await loadProvider(target, settings);
    const skipped: string[] = [];
    const provider = guard(real, {
      dryrun: !!options.dryrun,
      checkPermissions: await hasLocalCredentials(target.provider, settings.env),
      onSkipped: (d) => skipped.push(d),
    });
    const whole = names.length === 0;
    // A whole-cluster terminate ends by deleting the local record: found unwritable now, not after the cloud work.
    if (
      verb === "terminate" &&
      whole &&
      !options.dryrun &&
      /^[a-z][a-z0-9-]*$/.test(cluster) &&
      existsSync(clusterConfigDir(cluster, settings.home))
    ) {
      assertRecordWritable(cluster, settings.home);
    }
    if (mustConfirm) await confirm(cluster, names, out);

    const progress = await startProgress(out, `${verb} ${cluster}`);
    const results = await runLifecycle(verb, provider, cluster, names, progress);
    progress.done();
    let leftovers: string[] = [];
    if (verb === "terminate" && whole && results.every((r) => r.ok)) {
      await provider.deleteClusterResources(cluster);
      if (!options.dryrun) {
        leftovers = await real.leftovers(cluster);
        if (!leftovers.length) forgetRecord(cluster, settings.home);
      }
    }
    report(out, verb, cluster, results, leftovers, options.dryrun ? skipped : undefined);
    if (leftovers.length) {
      throw new CloudError(
        `${cluster}: still tagged after terminate: ${leftovers.join(", ")}; run terminate again or delete them by hand`,
      );
    }
    return results.every((r) => r.ok) ? 0 : 1;
  };

async function confirm(cluster: string, names: string[], out: Output): Promise<void> {
  const what = names.length ? `${names.join(", ")} of ${cluster}` : `every node of ${cluster}`;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`Terminate ${what}? This cannot be undone. [y/N] `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError("terminate cancelled");
  out.info("");
}

function report(
  out: Output,
  verb: string,
  cluster: string,
  results: NodeResult[],
  leftovers: string[],
  skipped?: string[],
) {
  if (out.json) {
    out.print(
      JSON.stringify(
        {
          cluster,
          action: verb,
          dryrun: !!skipped,
          results: results.map((r) => ({
            name: r.name,
            ok: r.ok,
            message: r.message,
            node: r.node ? nodeJson(r.node) : null,
          })),
          leftovers,
          ...(skipped ? { skipped_mutations: skipped } : {}),
        },
        null,
        2,
      ),
    );
    return;
  }
  const short = (name: string) => name.replace(`${cluster}-`, "");
  for (const r of results) {
    const ip =
      verb === "start" && r.ok && r.node?.publicIp && !r.message.includes(r.node.publicIp)
        ? ` (public IP ${r.node.publicIp})`
        : "";
    out.print(`${short(r.name)}: ${r.message}${ip}`);
  }
  if (!results.length) out.print(`${cluster}: no nodes`);
  if (skipped?.length) out.print(`(dry run: nothing was changed) Would:\n${skipped.map((s) => `  - ${s}`).join("\n")}`);
}
