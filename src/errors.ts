// The typed errors a user can cause or fix. src/cli.ts maps them to exit codes in one place; anything else is a
// bug and is printed with its stack.

/** Bad arguments or refused interaction (e.g. terminate without a TTY and without --yes): exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface SpecProblem {
  file: string;
  line: number;
  column: number;
  /** Field path, e.g. "workers.count". */
  path: string;
  message: string;
}

/** An invalid spec: every problem found, each with file:line:column and the field path. Exit 2. */
export class SpecError extends Error {
  override name = "SpecError";
  constructor(readonly problems: SpecProblem[]) {
    super(problems.map(formatProblem).join("\n"));
  }
}

export function formatProblem(p: SpecProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ""}${p.message}`;
}

/** No instance type meets the floors: a spec problem the user fixes by changing floors. Exit 2. */
export class PlanError extends Error {
  override name = "PlanError";
}

export type CloudErrorKind = "auth" | "permission" | "quota" | "capacity" | "not-found" | "throttled" | "invalid" | "other";

/** A cloud call failed. The message says what failed and what to do. Exit 1. */
export class CloudError extends Error {
  override name = "CloudError";
  constructor(
    message: string,
    readonly kind: CloudErrorKind = "other",
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * cloudlaunch's own files (the cluster record, its TLS material, the lock) are unreadable, unwritable, corrupt or
 * incomplete. The message names the file and what to do. Exit 1.
 */
export class LocalStateError extends Error {
  override name = "LocalStateError";
}

/**
 * By name, not instanceof: each cloud driver is its own bundle (dist/provider-<cloud>.js) with its own copy of
 * these classes.
 */
export function exitCodeFor(err: unknown): number | undefined {
  const name = (err as Error | undefined)?.name;
  if (name === "UsageError" || name === "SpecError" || name === "PlanError") return 2;
  if (name === "CloudError" || name === "LocalStateError") return 1;
  return undefined;
}
