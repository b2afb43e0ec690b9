// What the bootstrap renderer (src/bootstrap) would refuse, checked on the spec so the error names the field and its
// line: values a shell cannot carry, pip arguments that are options, a lifetime of zero; and the SSH public key.
import { specDuration } from "./duration.js";
import { KEY_REQUIRED_MESSAGE, keyRequired, readPublicKeyFile } from "./ssh-key.js";
import type { ClusterSpec } from "./schema.js";
import type { Finding } from "./checks.js";
import type { FieldPath } from "./positions.js";

/** Bash strings end at NUL, and a lone UTF-16 surrogate has no UTF-8 form (src/bootstrap/shell.ts). */
function textProblem(value: string): string | undefined {
  if (value.includes("\0")) return "contains a NUL character, which a shell cannot carry";
  if (Buffer.from(value, "utf8").toString("utf8") !== value) return "is not valid Unicode text";
  return undefined;
}

/** `withKey`: also check ssh.public_key_file (only a launch sends it). */
export function inputFindings(raw: unknown, withKey = true): Finding[] {
  const spec = (raw && typeof raw === "object" ? raw : {}) as ClusterSpec;
  const found: Finding[] = [];
  const strings = (path: FieldPath, values: unknown) =>
    (Array.isArray(values) ? values : []).forEach((v, i) => {
      if (typeof v !== "string") return;
      const problem = textProblem(v);
      if (problem) found.push({ path: [...path, i], message: problem });
      // pip would read a leading dash as one of its own options (--index-url...), not as a package.
      else if (path.at(-1) === "pip_packages" && (v.startsWith("-") || !v.trim())) {
        found.push({
          path: [...path, i],
          message: `${JSON.stringify(v)} is not a package requirement (an option or blank)`,
        });
      }
    });
  const dask = spec.dask && typeof spec.dask === "object" ? spec.dask : undefined;
  strings(["dask", "pip_packages"], dask?.pip_packages);
  strings(["dask", "setup_commands"], dask?.setup_commands);
  if (specDuration(spec.max_lifetime) === 0)
    found.push({ path: ["max_lifetime"], message: "must be at least 1m (0 would shut the nodes down as they boot)" });
  const idle = idleTimeoutProblem(specDuration(spec.idle_timeout));
  if (idle) found.push({ path: ["idle_timeout"], message: idle });
  for (const [key, value] of Object.entries(spec.tags && typeof spec.tags === "object" ? spec.tags : {})) {
    const problem = typeof value === "string" ? textProblem(value) : undefined;
    if (problem) found.push({ path: ["tags", key], message: problem });
  }
  if (withKey) found.push(...keyFindings(spec));
  return found;
}

const MAX_IDLE_DAYS = 365;

/** A value the schema accepts but the nodes could not use: 0 (off as they boot) or past any real idle time. */
function idleTimeoutProblem(seconds: number | undefined): string | undefined {
  if (seconds === 0)
    return "must be at least 1m (0 would power the nodes off as they boot); leave it out to keep them on";
  if (seconds !== undefined && seconds > MAX_IDLE_DAYS * 86_400)
    return `must be at most ${MAX_IDLE_DAYS}d; leave it out to keep the nodes on`;
  return undefined;
}

function keyFindings(spec: ClusterSpec): Finding[] {
  const provider = spec.provider as string;
  const file = spec.ssh && typeof spec.ssh === "object" ? spec.ssh.public_key_file : undefined;
  if (typeof file === "string") {
    const reading = readPublicKeyFile(file, spec.provider);
    return reading.ok ? [] : [{ path: ["ssh", "public_key_file"], message: reading.message }];
  }
  if (keyRequired(provider)) return [{ path: spec.ssh ? ["ssh"] : [], message: KEY_REQUIRED_MESSAGE }];
  return [];
}
