// What every test of a driver against a fake cloud needs, written once: a fake started with no latency, a user's SSH
// key, a spec in the shape a user writes it (loaded through the real spec loader, defaults and all), and the driver
// obtained the way the command layer obtains it (src/providers/index.ts), pointed at the fake.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { typesIn } from "../../src/catalog/catalog";
import { planCluster } from "../../src/plan/plan";
import type { Plan } from "../../src/plan/types";
import { loadProvider } from "../../src/providers/index";
import type { Progress, Provider } from "../../src/providers/provider";
import { parseSpec } from "../../src/spec/load";
import type { ProviderName, ResolvedSpec } from "../../src/spec/schema";
import { settingsFrom } from "../../src/settings";
import { FAKES } from "../fakes";
import type { FakeCloud, FakeCloudOptions } from "../fakes/harness";

export const ED25519_PUBLIC_KEY =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@example\n";

/** A public key file in a fresh directory, for specs that name one. */
export function publicKeyFile(dir = mkdtempSync(join(tmpdir(), "cloudlaunch-key-"))): string {
  const file = join(dir, "id_ed25519.pub");
  writeFileSync(file, ED25519_PUBLIC_KEY);
  return file;
}

/** The fake of `provider`, answering at once; `options` override (e.g. a slower transition). */
export async function startFake(provider: ProviderName, options: FakeCloudOptions = {}): Promise<FakeCloud> {
  return (await FAKES[provider]())({ transitionMs: 30, latencyMs: 0, ...options });
}

/** A spec document as a user writes it, for a cluster on `fake` with `workers` workers; `extra` is merged over it. */
export function specDocument(
  fake: FakeCloud,
  cluster: string,
  workers: number,
  keyFile: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name: cluster,
    provider: fake.provider,
    region: fake.spec.region,
    scheduler: { min_vcpus: 2, min_memory_gib: 4 },
    workers: { count: workers, min_vcpus: 2, min_memory_gib: 8 },
    network: { subnet: fake.spec.subnet, allowed_cidrs: ["203.0.113.10/32"] },
    ssh: { public_key_file: keyFile, user: "ubuntu" },
    tags: { project: "tests" },
    ...fake.spec.extra,
    ...extra,
  };
}

/** The same document loaded as `up` loads a spec file: validated, with the schema's defaults applied. */
export function loadedSpec(document: Record<string, unknown>): ResolvedSpec {
  return parseSpec(stringify(document), `${String(document.name)}.yaml`).spec;
}

/** A plan for `spec` against what the driver lists now, as `up` makes it. */
export async function planFor(driver: Provider, spec: ResolvedSpec): Promise<Plan> {
  return planCluster(spec, typesIn(spec.provider, spec.region), await driver.listNodes(spec.name));
}

/** A Progress that keeps what it was told, for assertions. */
export function recorder(): Progress & { notes: string[]; updates: string[] } {
  const notes: string[] = [];
  const updates: string[] = [];
  return { notes, updates, note: (m) => void notes.push(m), update: (d, t, w) => void updates.push(`${d}/${t} ${w}`) };
}

/**
 * Points the process at `fake` (the AWS SDK and some driver settings read only process.env) and returns the driver
 * the command layer would get, handed the fake's environment. `restore` puts the environment back and closes the
 * driver's sockets where it has any.
 */
export async function driverFor(
  fake: FakeCloud,
  env: Record<string, string> = fake.env,
): Promise<{ driver: Provider; restore(): void }> {
  const saved = { ...process.env };
  // Node reads NODE_EXTRA_CA_CERTS only at start-up; the Azure driver trusts the fake's CA when the environment it
  // is handed names another CA file than the process's (src/providers/azure/clients.ts), so it stays out of process.env.
  const { NODE_EXTRA_CA_CERTS: _, ...processEnv } = env;
  Object.assign(process.env, processEnv);
  const target = { provider: fake.provider, region: fake.spec.region, ...fake.spec.extra } as Parameters<
    typeof loadProvider
  >[0];
  const driver = await loadProvider(target, settingsFrom({ ...process.env, ...env }));
  return {
    driver,
    restore() {
      (driver as { close?(): void }).close?.();
      process.env = saved;
    },
  };
}

/** Polls `ok` until it holds or `ms` pass; returns whether it held. Tests wait on state, never for a fixed time. */
export async function until(ok: () => boolean | Promise<boolean>, ms = 20_000, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await ok()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
