// A small, strict subset of the Kusto query language as Azure Resource Graph runs it, for the fake's Resources table:
//   Resources | where <expr> | project a, b = <expr> | order by a [asc|desc]
// with ==, =~, !=, !~, in (...), in~ (...), and, or, parentheses, tostring(), string literals, and paths into a
// row (tags['k'], tags.k, properties.a.b, x[0]). Anything else — another operator, function or table — is a parse
// failure, answered as Resource Graph answers an invalid query (400 BadRequest, details InvalidQuery and
// ParserFailure), never skipped: a clause the fake ignored would let a wrong query pass its tests.
// Language: https://learn.microsoft.com/azure/governance/resource-graph/concepts/query-language
// Operators: https://learn.microsoft.com/kusto/query/datatypes-string-operators
export type Row = Record<string, unknown>;

type Expr =
  | { kind: "literal"; value: unknown }
  | { kind: "path"; root: string; steps: (string | number)[] }
  | { kind: "tostring"; arg: Expr }
  | { kind: "compare"; op: string; left: Expr; right: Expr }
  | { kind: "in"; caseless: boolean; left: Expr; values: Expr[] }
  | { kind: "logic"; op: "and" | "or"; left: Expr; right: Expr };

type Stage =
  | { kind: "where"; expr: Expr }
  | { kind: "project"; columns: { name: string; expr: Expr }[] }
  | { kind: "order"; column: string; desc: boolean };

export class KqlError extends Error {}

const TOKEN = /('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(==|=~|!=|!~|in~|[|(),=[\].])|([A-Za-z_][A-Za-z0-9_]*)|(\d+)/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
    if (pos >= text.length) return out;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw new KqlError(`unexpected character '${text[pos]}' at ${pos}`);
    out.push(m[0]);
    pos = TOKEN.lastIndex;
  }
}

/** Parses a query into its stages; throws KqlError on anything outside the subset. */
export function parseQuery(text: string): Stage[] {
  const t = tokenize(text);
  let i = 0;
  const peek = (k = 0) => t[i + k];
  const next = () => {
    if (i >= t.length) throw new KqlError("unexpected end of query");
    return t[i++];
  };
  const expect = (tok: string) => {
    const got = next();
    if (got.toLowerCase() !== tok) throw new KqlError(`expected '${tok}', found '${got}'`);
  };
  const isWord = (tok: string | undefined) => !!tok && /^[A-Za-z_]/.test(tok);

  const primary = (): Expr => {
    const tok = next();
    if (tok === "(") {
      const e = orExpr();
      expect(")");
      return e;
    }
    if (/^['"]/.test(tok)) return { kind: "literal", value: tok.slice(1, -1).replace(/\\(.)/g, "$1") };
    if (/^\d+$/.test(tok)) return { kind: "literal", value: Number(tok) };
    if (!isWord(tok)) throw new KqlError(`unexpected '${tok}'`);
    if (peek() === "(") {
      if (tok !== "tostring") throw new KqlError(`unknown function '${tok}'`);
      next();
      const arg = orExpr();
      expect(")");
      return { kind: "tostring", arg };
    }
    const steps: (string | number)[] = [];
    for (;;) {
      if (peek() === ".") {
        next();
        const name = next();
        if (!isWord(name)) throw new KqlError(`expected a name after '.', found '${name}'`);
        steps.push(name);
      } else if (peek() === "[") {
        next();
        const key = next();
        if (/^['"]/.test(key)) steps.push(key.slice(1, -1));
        else if (/^\d+$/.test(key)) steps.push(Number(key));
        else throw new KqlError(`expected a key or index in [], found '${key}'`);
        expect("]");
      } else break;
    }
    return { kind: "path", root: tok, steps };
  };
  const comparison = (): Expr => {
    const left = primary();
    const op = peek()?.toLowerCase();
    if (op === "==" || op === "=~" || op === "!=" || op === "!~") {
      next();
      return { kind: "compare", op, left, right: primary() };
    }
    if (op === "in" || op === "in~") {
      next();
      expect("(");
      const values = [primary()];
      while (peek() === ",") {
        next();
        values.push(primary());
      }
      expect(")");
      return { kind: "in", caseless: op === "in~", left, values };
    }
    return left;
  };
  const andExpr = (): Expr => {
    let e = comparison();
    while (peek()?.toLowerCase() === "and") {
      next();
      e = { kind: "logic", op: "and", left: e, right: comparison() };
    }
    return e;
  };
  const orExpr = (): Expr => {
    let e = andExpr();
    while (peek()?.toLowerCase() === "or") {
      next();
      e = { kind: "logic", op: "or", left: e, right: andExpr() };
    }
    return e;
  };

  // Resource Graph accepts the table name in either case (`Resources`, `resources`).
  if (next().toLowerCase() !== "resources") throw new KqlError("the query must start with the Resources table");
  const stages: Stage[] = [];
  while (i < t.length) {
    expect("|");
    const op = next().toLowerCase();
    if (op === "where") stages.push({ kind: "where", expr: orExpr() });
    else if (op === "project") {
      const columns: { name: string; expr: Expr }[] = [];
      do {
        if (columns.length) next();
        const name = next();
        if (!isWord(name)) throw new KqlError(`expected a column name, found '${name}'`);
        if (peek() === "=") {
          next();
          columns.push({ name, expr: orExpr() });
        } else if (peek() === "," || peek() === "|" || peek() === undefined) {
          columns.push({ name, expr: { kind: "path", root: name, steps: [] } });
        } else throw new KqlError(`unexpected '${peek()}' in project`);
      } while (peek() === ",");
      stages.push({ kind: "project", columns });
    } else if (op === "order" || op === "sort") {
      expect("by");
      const column = next();
      const dir = peek()?.toLowerCase();
      if (dir === "asc" || dir === "desc") next();
      stages.push({ kind: "order", column, desc: dir !== "asc" }); // Kusto sorts descending by default
    } else throw new KqlError(`unsupported operator '${op}'`);
    if (i < t.length && peek() !== "|") throw new KqlError(`unexpected '${peek()}'`);
  }
  return stages;
}

/** Runs parsed stages over rows. Unknown columns are a query error, as in Kusto ("Failed to resolve ..."). */
export function runQuery(stages: Stage[], rows: Row[], columns: string[]): Row[] {
  let known = new Set(columns);
  for (const stage of stages) {
    if (stage.kind === "where") {
      check(stage.expr, known);
      rows = rows.filter((r) => evaluate(stage.expr, r) === true);
    } else if (stage.kind === "project") {
      for (const c of stage.columns) check(c.expr, known);
      rows = rows.map((r) => Object.fromEntries(stage.columns.map((c) => [c.name, evaluate(c.expr, r) ?? null])));
      known = new Set(stage.columns.map((c) => c.name));
    } else {
      if (!known.has(stage.column)) throw new KqlError(`Failed to resolve column '${stage.column}'`);
      const key = (r: Row) => String(r[stage.column] ?? "");
      rows = [...rows].sort((a, b) => key(a).localeCompare(key(b)) * (stage.desc ? -1 : 1));
    }
  }
  return rows;
}

function check(e: Expr, known: Set<string>) {
  if (e.kind === "path" && !known.has(e.root)) throw new KqlError(`Failed to resolve scalar expression '${e.root}'`);
  if (e.kind === "tostring") check(e.arg, known);
  if (e.kind === "compare" || e.kind === "logic") {
    check(e.left, known);
    check(e.right, known);
  }
  if (e.kind === "in") for (const x of [e.left, ...e.values]) check(x, known);
}

function evaluate(e: Expr, row: Row): unknown {
  switch (e.kind) {
    case "literal":
      return e.value;
    case "path": {
      let v: unknown = row[e.root];
      for (const s of e.steps) v = v == null || typeof v !== "object" ? undefined : (v as Record<string, unknown>)[s];
      return v;
    }
    case "tostring": {
      const v = evaluate(e.arg, row);
      return v == null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    }
    case "logic": {
      const l = evaluate(e.left, row) === true;
      return e.op === "and" ? l && evaluate(e.right, row) === true : l || evaluate(e.right, row) === true;
    }
    case "compare": {
      // A comparison with a missing (null) value is null in Kusto, which `where` drops.
      const [l, r] = [scalar(evaluate(e.left, row)), scalar(evaluate(e.right, row))];
      if (l === undefined || r === undefined) return null;
      const caseless = e.op === "=~" || e.op === "!~";
      const equal = caseless ? l.toLowerCase() === r.toLowerCase() : l === r;
      return e.op.startsWith("!") ? !equal : equal;
    }
    case "in": {
      const l = scalar(evaluate(e.left, row));
      if (l === undefined) return null;
      const fold = (s: string) => (e.caseless ? s.toLowerCase() : s);
      return e.values.some((v) => {
        const r = scalar(evaluate(v, row));
        return r !== undefined && fold(r) === fold(l);
      });
    }
  }
}

const scalar = (v: unknown): string | undefined =>
  v == null ? undefined : typeof v === "object" ? JSON.stringify(v) : String(v);
