// One fake cloud plus a user's machine (HOME, config dir, SSH key) for the conformance scenarios.
import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { ProviderName } from "../../src/spec/schema";
import type { FakeCloud, FakeVm } from "../fakes/harness";
import { cleanHome, cli, type CliResult } from "../support/cli";
import { publicKeyFile, specDocument, startFake } from "../support/fake-cloud";

export interface World {
  provider: ProviderName;
  fake: FakeCloud;
  home: string;
  /** Writes a spec for `cluster` with `workers` workers; `extra` is merged over the defaults. */
  spec(cluster: string, workers: number, extra?: Record<string, unknown>): string;
  run(args: string[], env?: Record<string, string>, onSpawn?: (child: ChildProcess) => void): Promise<CliResult>;
  /** The cluster's VMs that are not terminated, by name. */
  live(cluster: string): FakeVm[];
  /** Mutating calls the fake answered since `since` (a calls.length taken earlier). */
  mutatingSince(since: number): string[];
  close(): Promise<void>;
}

const GONE = /^(terminated|shutting-down|deleted|TERMINATED_DELETED)$/i;

export async function startWorld(provider: ProviderName): Promise<World> {
  const fake = await startFake(provider);
  const home = cleanHome();
  mkdirSync(join(home, ".ssh"), { recursive: true });
  const keyFile = publicKeyFile(join(home, ".ssh"));
  return {
    provider,
    fake,
    home,
    spec(cluster, workers, extra = {}) {
      const file = join(home, `${cluster}.yaml`);
      writeFileSync(
        file,
        stringify(specDocument(fake, cluster, workers, keyFile, { tags: { project: "conformance" }, ...extra })),
      );
      return file;
    },
    run: (args, env, onSpawn) => cli(args, { home, env: { ...fake.env, ...env }, onSpawn }),
    live: (cluster) => fake.vms().filter((vm) => vm.cluster === cluster && !GONE.test(vm.state)),
    mutatingSince: (since) =>
      fake.calls
        .slice(since)
        .filter((c) => c.mutating)
        .map((c) => c.action),
    close: () => fake.close(),
  };
}
