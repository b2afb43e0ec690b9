// Where output goes and how it looks: tables and colour only for a person at a terminal; CI logs stay clean.
import type TableType from "cli-table3";

export interface Output {
  json: boolean;
  /** stdout: the result (a table or one JSON document). */
  print(text: string): void;
  /** stderr: progress, notes, warnings — never mixed into --json output. */
  info(text: string): void;
  warn(text: string): void;
  color: boolean;
  interactive: boolean;
}

export function makeOutput(json: boolean): Output {
  const color = !!process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== "dumb";
  return {
    json,
    color,
    interactive: !!process.stderr.isTTY && !process.env.CI,
    print: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    info: (text) => process.stderr.write(`${text}\n`),
    warn: (text) => process.stderr.write(`${color ? "\x1b[33mwarning\x1b[0m" : "warning"}: ${text}\n`),
  };
}

export function table(head: string[], rows: (string | number)[][], color: boolean): string {
  // Loaded on first use: --json and --help never pay for it.
  const Table = require("cli-table3") as typeof TableType;
  const t = new Table({ head, style: color ? { head: ["cyan"] } : { head: [], border: [] } });
  t.push(...rows.map((r) => r.map(String)));
  return t.toString();
}

export const usd = (x: number) => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;
