// The typed errors a user can cause or fix. src/cli.ts maps them to exit codes in one place; anything else is a
// bug and is printed with its stack.
//
// Each cloud driver and command is its own bundle (dist/provider-<cloud>.js...) with its own copy of these classes,
// so `instanceof` is false across bundles. Each error carries its kind under a registry symbol instead:
// Symbol.for() returns the same symbol in every bundle of the process, and a plain property survives minification.
const KIND = Symbol.for("cloudlaunch.error-kind");

export type ErrorKind = "UsageError" | "SpecError" | "PlanError" | "CloudError" | "LocalStateError";

function brand(err: Error, kind: ErrorKind): void {
  Object.defineProperty(err, KIND, { value: kind, enumerable: false });
}

/** The kind of a cloudlaunch error, whichever bundle made it; undefined for anything else (a bug). */
export function errorKind(err: unknown): ErrorKind | undefined {
  return err && typeof err === "object"
    ? ((err as Record<symbol, ErrorKind | undefined>)[KIND] ?? undefined)
    : undefined;
}

export const isSpecError = (err: unknown): err is SpecError => errorKind(err) === "SpecError";
export const isCloudError = (err: unknown): err is CloudError => errorKind(err) === "CloudError";
/** Errors that are the user's to fix (spec, plan, usage): never to be rewrapped as a cloud's error. */
export const isUserError = (err: unknown): boolean =>
  ["UsageError", "SpecError", "PlanError"].includes(errorKind(err) ?? "");

/** Bad arguments or refused interaction (e.g. terminate without a TTY and without --yes): exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(message: string) {
    super(message);
    brand(this, "UsageError");
  }
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
    brand(this, "SpecError");
  }
}

export function formatProblem(p: SpecProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ""}${p.message}`;
}

/** No instance type meets the floors: a spec problem the user fixes by changing floors. Exit 2. */
export class PlanError extends Error {
  override name = "PlanError";
  constructor(message: string) {
    super(message);
    brand(this, "PlanError");
  }
}

export type CloudErrorKind =
  | "auth"
  | "permission"
  | "quota"
  | "capacity"
  | "not-found"
  | "throttled"
  | "invalid"
  | "other";

/** A cloud call failed. The message says what failed and what to do. Exit 1. */
export class CloudError extends Error {
  override name = "CloudError";
  constructor(
    message: string,
    readonly kind: CloudErrorKind = "other",
    readonly code?: string,
  ) {
    super(message);
    brand(this, "CloudError");
  }
}

/**
 * cloudlaunch's own files (the cluster record, its TLS material, the lock) are unreadable, unwritable, corrupt or
 * incomplete. The message names the file and what to do. Exit 1.
 */
export class LocalStateError extends Error {
  override name = "LocalStateError";
  constructor(message: string) {
    super(message);
    brand(this, "LocalStateError");
  }
}

/** By brand, not instanceof (see KIND above), nor by name, which any library's error may share. */
export function exitCodeFor(err: unknown): number | undefined {
  const kind = errorKind(err);
  if (kind === "UsageError" || kind === "SpecError" || kind === "PlanError") return 2;
  if (kind === "CloudError" || kind === "LocalStateError") return 1;
  return undefined;
}
