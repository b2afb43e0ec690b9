// Partial responses: the `fields` system parameter (query `fields` / `$fields`, or the X-Goog-FieldMask header)
// names the parts of a response to return. Syntax: comma-separated paths; `a/b` (or `a.b`) selects b inside a;
// `a(b,c)` selects b and c inside a; `*` matches every key (map entries, e.g. an aggregated list's scopes); a
// selection inside an array applies to each element. Nothing selected is omitted from the answer.
// https://cloud.google.com/apis/docs/system-parameters
// https://cloud.google.com/compute/docs/api/how-tos/performance#partial-response
import { invalid } from "./wire";

/** A parsed mask: each selected key with what to keep inside it (`true`: the whole value). */
export type Mask = Map<string, Mask | true>;

type Headers = Record<string, string | string[] | undefined>;

export function maskOf(query: URLSearchParams, headers: Headers): Mask | undefined {
  const text = query.get("fields") ?? query.get("$fields") ?? headers["x-goog-fieldmask"];
  return typeof text === "string" && text.trim() ? parseMask(text) : undefined;
}

export function parseMask(text: string): Mask {
  let at = 0;
  const fail = () => invalid(`Invalid field selection '${text}'.`);
  const list = (): Mask => {
    const mask: Mask = new Map();
    do {
      const name = /^[A-Za-z_][\w]*|^\*/.exec(text.slice(at))?.[0];
      if (!name) throw fail();
      at += name.length;
      let inner: Mask | true = true;
      if (text[at] === "/" || text[at] === ".") {
        at++;
        inner = list1();
      } else if (text[at] === "(") {
        at++;
        inner = list();
        if (text[at++] !== ")") throw fail();
      }
      mask.set(name, merge(mask.get(name), inner));
    } while (text[at] === "," && ++at);
    return mask;
  };
  // After `/`, one path continues (a comma ends the enclosing item, as in `a/b,c`).
  const list1 = (): Mask => {
    const saved = text;
    const end = findItemEnd(saved, at);
    const sub = parseMask(saved.slice(at, end));
    at = end;
    return sub;
  };
  const mask = list();
  if (at !== text.length) throw fail();
  return mask;
}

/** Where the path starting at `from` ends: the first comma or unmatched `)` outside parentheses. */
function findItemEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && depth-- === 0) return i;
    else if (text[i] === "," && depth === 0) return i;
  }
  return text.length;
}

function merge(a: Mask | true | undefined, b: Mask | true): Mask | true {
  if (a === undefined) return b;
  if (a === true || b === true) return true;
  const out: Mask = new Map(a);
  for (const [k, v] of b) out.set(k, merge(out.get(k), v));
  return out;
}

/** The value with only the selected parts. */
export function applyMask(value: unknown, mask: Mask): unknown {
  if (Array.isArray(value)) return value.map((v) => applyMask(v, mask));
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const sel = mask.get(key) ?? mask.get("*");
    if (sel !== undefined) out[key] = sel === true ? v : applyMask(v, sel);
  }
  return out;
}
