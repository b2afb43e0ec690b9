// YAML file → validated ResolvedSpec (the schema's defaults applied). Every problem is collected with file:line:column and the
// field path, and reported together as one SpecError; nothing here touches a cloud.
import { readFileSync, statSync } from "node:fs";
import { Value, ValueErrorType, type ValueError } from "@sinclair/typebox/value";
import { formatProblem, SpecError, type SpecProblem } from "../errors.js";
import { ClusterSpecSchema, type ClusterSpec, type ResolvedSpec } from "./schema.js";
import { resolveSpec } from "./resolve.js";
import { semanticFindings, suggest } from "./checks.js";
import { cidrFindings } from "./cidrs.js";
import { inputFindings } from "./input-checks.js";
import { typeFindings } from "./type-checks.js";
import { SourcePositions, dotted, type FieldPath } from "./positions.js";
import { MAX_SPEC_BYTES, parseYaml } from "./yaml.js";
import type { SpecContext } from "../settings.js";

export interface LoadedSpec {
  spec: ResolvedSpec;
  file: string;
  warnings: string[];
  /** A problem found after loading (plan, rendering), placed at the field it comes from. */
  problemAt(path: FieldPath, message: string): SpecProblem;
  /** Where a field is in the file, for rules checked after loading (e.g. the budget against the plan). */
  locate(path: FieldPath): { line: number; column: number };
}

/**
 * "launch" (up) runs every check; "locate" (status/stop/start/terminate --spec) reads the spec only to find the
 * cluster's cloud, so it skips the checks of what a launch needs (the SSH key file, the types): a deleted key file
 * must not stand between a user and terminating the cluster.
 */
export type SpecPurpose = "launch" | "locate";

/** `context`: the catalog the types are checked in, and the environment (AZURE_SUBSCRIPTION_ID). */
export function loadSpecFile(file: string, purpose: SpecPurpose = "launch", context: SpecContext = {}): LoadedSpec {
  let text: string;
  try {
    // Checked before reading: /dev/zero or a multi-gigabyte file would otherwise be read whole.
    const stat = statSync(file);
    if (!stat.isFile())
      throw new SpecError([{ file, line: 1, column: 1, path: "", message: "the spec is not a regular file" }]);
    if (stat.size > MAX_SPEC_BYTES) {
      const message = `the spec is ${stat.size} bytes, over the ${MAX_SPEC_BYTES}-byte limit for a cluster spec`;
      throw new SpecError([{ file, line: 1, column: 1, path: "", message }]);
    }
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof SpecError) throw err;
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new SpecError([{ file, line: 1, column: 1, path: "", message: `cannot read the spec: ${reason}` }]);
  }
  return parseSpec(text, file, purpose, context);
}

export function parseSpec(
  text: string,
  file: string,
  purpose: SpecPurpose = "launch",
  context: SpecContext = {},
): LoadedSpec {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) throw new SpecError(parsed.problems);
  const { doc, lines, raw } = parsed.value;
  const positions = new SourcePositions(doc, lines);
  const problem = (path: FieldPath, message: string, at = positions.of(path)): SpecProblem => ({
    file,
    line: at.line,
    column: at.column,
    path: dotted(path),
    message,
  });

  const schemaProblems = schemaErrors(raw).map((e) => {
    const path = pointerToPath(e.path);
    if (e.type === ValueErrorType.ObjectAdditionalProperties) {
      const key = String(path.at(-1));
      const parent = path.slice(0, -1);
      const known = Object.keys(schemaAt(parent)?.properties ?? {});
      return problem(path, `unknown field${suggest(key, known)}`, positions.ofKey(parent, key));
    }
    if (e.type === ValueErrorType.ObjectRequiredProperty) return problem(path, "is required");
    return problem(path, describe(e));
  });
  const findings = [...semanticFindings(raw, context), ...inputFindings(raw, purpose === "launch")];
  const errorsOf = (found: typeof findings) => found.filter((f) => !f.warning).map((f) => problem(f.path, f.message));
  const fail = (errors: SpecProblem[]) =>
    new SpecError(dedupe(errors).sort((a, b) => a.line - b.line || a.column - b.column));
  const errors = [...schemaProblems, ...errorsOf(findings)];
  // The type checks plan each role: they need a known provider and region and well-formed roles, and join the
  // other problems when those are right.
  const blocking =
    purpose === "locate" ||
    errors.some((p) => p.path === "" || /^(provider|region|arch|scheduler|workers)\b/.test(p.path));
  const types = blocking ? [] : errorsOf(typeFindings(resolveSpec(raw as ClusterSpec), context.catalogDir));
  if (errors.length || types.length) throw fail([...errors, ...types]);

  const spec = resolveSpec(raw as ClusterSpec);
  // The clouds are sent the canonical form of each range (a warning says when it differs from the text).
  spec.network = { ...spec.network, allowed_cidrs: cidrFindings(spec).canonical };
  const warnings = [
    ...parsed.value.warnings,
    ...findings.filter((f) => f.warning).map((f) => problem(f.path, f.message)),
  ].map(formatProblem);
  return { spec, file, warnings, problemAt: problem, locate: (path) => positions.of(path) };
}

function schemaErrors(value: unknown): ValueError[] {
  // Union members each report; keep the first error per path so one mistake reads as one line.
  const seen = new Set<string>();
  return [...Value.Errors(ClusterSpecSchema, value)].filter((e) => {
    const key = `${e.path}|${e.type === ValueErrorType.ObjectAdditionalProperties}`;
    if (seen.has(key) || (e.type === ValueErrorType.Union && seen.has(`${e.path}|false`))) return false;
    seen.add(key);
    return true;
  });
}

function describe(e: ValueError): string {
  const s = e.schema as { anyOf?: { const?: unknown }[]; pattern?: string; description?: string };
  if (e.type === ValueErrorType.Union && s.anyOf?.every((m) => m.const !== undefined)) {
    const options = s.anyOf.map((m) => String(m.const));
    return `must be one of ${options.join(" | ")}, got ${JSON.stringify(e.value)}${suggest(String(e.value), options)}`;
  }
  if (e.type === ValueErrorType.StringPattern && s.description)
    return `${JSON.stringify(e.value)} is invalid: ${s.description}`;
  return `${e.message.replace(/^Expected/, "expected")}, got ${JSON.stringify(e.value)}`;
}

function pointerToPath(pointer: string): FieldPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((seg) => {
      const key = seg.replace(/~1/g, "/").replace(/~0/g, "~");
      return /^\d+$/.test(key) ? Number(key) : key;
    });
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  allOf?: SchemaNode[];
}

function schemaAt(path: FieldPath): SchemaNode | undefined {
  let node: SchemaNode | undefined = ClusterSpecSchema as SchemaNode;
  for (const seg of path) node = typeof seg === "number" ? undefined : node?.properties?.[seg];
  return node;
}

function dedupe(problems: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  return problems.filter(
    (p) => !seen.has(`${p.line}:${p.column}:${p.message}`) && !!seen.add(`${p.line}:${p.column}:${p.message}`),
  );
}
