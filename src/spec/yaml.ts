// YAML text → document, with every syntax error at its real line:column, and inputs built to exhaust the parser or
// the process (a huge file, an alias bomb, nesting thousands deep) refused as spec problems instead of crashing it.
import { LineCounter, parseDocument, visit, isAlias, isCollection, type Document, type Node } from "yaml";
import type { SpecProblem } from "../errors.js";

/**
 * A cluster spec is a few hundred bytes, and the largest user data any cloud takes is 256 KiB (GCP): a spec bigger
 * than that cannot launch, and the parser takes seconds per hundred kilobytes of flow collections.
 */
export const MAX_SPEC_BYTES = 256 * 1024;
/** The spec is four levels deep; past this the parser recurses toward a stack overflow for nothing. */
const MAX_DEPTH = 32;
/** A spec may reuse a block with an alias or two; billions-of-laughs documents need thousands of expansions. */
const MAX_ALIAS_COUNT = 50;

interface ParsedYaml {
  doc: Document;
  lines: LineCounter;
  raw: unknown;
  warnings: SpecProblem[];
}

export type YamlResult = { ok: true; value: ParsedYaml } | { ok: false; problems: SpecProblem[] };

export function parseYaml(text: string, file: string): YamlResult {
  const at = (line: number, column: number, message: string): SpecProblem => ({
    file,
    line,
    column,
    path: "",
    message,
  });
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_SPEC_BYTES) {
    return {
      ok: false,
      problems: [at(1, 1, `the spec is ${bytes} bytes, over the ${MAX_SPEC_BYTES}-byte limit for a cluster spec`)],
    };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => lines.linePos(Math.min(offset, text.length));
  const fromYaml = (e: { pos: [number, number]; message: string }) => {
    // yaml notices an unclosed [ or { where the text runs out of it; the bracket to close is the place to fix.
    const opened = /^Flow (sequence|map)/.test(e.message) ? unclosedBracket(text, e.pos[0]) : undefined;
    const { line, col } = position(opened ?? e.pos[0]);
    // yaml catches its own stack overflow and reports it as a syntax error.
    const message = /Maximum call stack/.test(e.message)
      ? `nested deeper than ${MAX_DEPTH} levels`
      : e.message.split("\n")[0];
    return at(line, col, `YAML: ${message.replace(/ at line \d+, column \d+:?$/, "")}`);
  };
  const problems = doc.errors.map(fromYaml);
  const deep = firstTooDeep(doc);
  if (deep !== undefined) {
    const { line, col } = position(deep);
    if (!problems.some((p) => /nested deeper/.test(p.message)))
      problems.push(at(line, col, `YAML: nested deeper than ${MAX_DEPTH} levels`));
  }
  if (problems.length) return { ok: false, problems: problems.sort((a, b) => a.line - b.line || a.column - b.column) };

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    // yaml throws a ReferenceError ("Excessive alias count…") for a billion-laughs document.
    const { line, col } = position(firstAlias(doc) ?? 0);
    const why = (err as Error).message.split(" indicates")[0];
    return { ok: false, problems: [at(line, col, `YAML: aliases expand too much (${why}); write the values out`)] };
  }
  return { ok: true, value: { doc, lines, raw, warnings: doc.warnings.map(fromYaml) } };
}

/** Offset of the first collection nested deeper than MAX_DEPTH, found without recursion. */
function firstTooDeep(doc: Document): number | undefined {
  const stack: [Node, number][] = doc.contents ? [[doc.contents as Node, 1]] : [];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth > MAX_DEPTH) return node.range?.[0] ?? 0;
    for (const item of node.items as unknown[]) {
      const pair = item as { key?: unknown; value?: unknown };
      const children = "value" in (pair as object) ? [pair.key, pair.value] : [item];
      for (const child of children) if (child && typeof child === "object") stack.push([child as Node, depth + 1]);
    }
  }
  return undefined;
}

/** Offset of the last [ or { before `end` that is not closed before it (quotes and comments skipped). */
function unclosedBracket(text: string, end: number): number | undefined {
  const open: number[] = [];
  for (let i = 0; i < end; i++) {
    const c = text[i];
    if (c === "#" && (i === 0 || /\s/.test(text[i - 1]))) i = text.indexOf("\n", i) < 0 ? end : text.indexOf("\n", i);
    else if (c === '"' || c === "'") {
      for (i++; i < end && text[i] !== c; i++) if (c === '"' && text[i] === "\\") i++;
    } else if (c === "[" || c === "{") open.push(i);
    else if ((c === "]" || c === "}") && open.length) open.pop();
  }
  return open.at(-1);
}

function firstAlias(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node)) offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}
