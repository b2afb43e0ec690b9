// Values land in cloudlaunch.env, a file bash sources: single quotes take everything literally except the single
// quote itself, written as '\'' (close, escaped quote, reopen). Bash strings cannot hold NUL, so it is refused; so
// are lone UTF-16 surrogates, which have no UTF-8 form.
import { PlanError } from "../errors.js";

function shellQuote(value: string, what: string): string {
  if (value.includes("\0")) throw new PlanError(`${what} contains a NUL character, which a shell cannot carry`);
  if (Buffer.from(value, "utf8").toString("utf8") !== value) throw new PlanError(`${what} is not valid Unicode text`);
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function shellAssignment(name: string, value: string | number): string {
  return `${name}=${shellQuote(String(value), name)}`;
}

export function shellArrayAssignment(name: string, values: readonly string[]): string {
  return `${name}=(${values.map((v, i) => shellQuote(v, `${name}[${i}]`)).join(" ")})`;
}
