// Inputs for the renderer: every provider × role × TLS on/off, with TLS material from a throwaway config dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UserDataInput } from "../../src/bootstrap/index.js";
import { nodeTlsFor, type ClusterTls } from "../../src/bootstrap/tls.js";
import { type ClusterSpec, PROVIDERS, type ProviderName, type RoleName } from "../../src/spec/schema.js";
import { resolved } from "../support/spec.js";

export interface Variant {
  provider: ProviderName;
  role: RoleName;
  tls: boolean;
}

export const VARIANTS: Variant[] = PROVIDERS.flatMap((provider) =>
  (["scheduler", "worker"] as const).flatMap((role) => [true, false].map((tls) => ({ provider, role, tls }))),
);

export function variantName(v: Variant): string {
  return `${v.provider} ${v.role} tls=${v.tls ? "on" : "off"}`;
}

/** A temp CLOUDLAUNCH_HOME; call cleanup() in afterAll. */
export function tempHome(): { home: string; env: NodeJS.ProcessEnv; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), "cloudlaunch-home-"));
  return { home, env: { CLOUDLAUNCH_HOME: home }, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

export function inputFor(v: Variant, tls: ClusterTls, spec: Partial<ClusterSpec> = {}): UserDataInput {
  return {
    provider: v.provider,
    cluster: "demo",
    role: v.role,
    nodeName: v.role === "scheduler" ? "demo-scheduler" : "demo-worker-1",
    vcpus: 4,
    memoryGib: 16,
    schedulerHost: v.role === "worker" ? "10.1.2.3" : undefined,
    spec: resolved({
      max_lifetime: "8h",
      tags: { team: "data" },
      dask: { pip_packages: ["pyarrow==17.0.0"], setup_commands: ["apt-get install -y htop"] },
      ...spec,
      security: v.tls,
    }),
    tls: v.tls ? nodeTlsFor(tls, v.role) : undefined,
  };
}
