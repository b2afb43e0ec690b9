// Maps a field path to a line:column in the YAML source, so every spec error points at the text to fix.
import { isMap, isPair, isScalar, type LineCounter, type Document, type Node } from "yaml";

export type FieldPath = (string | number)[];

export class SourcePositions {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  private at(offset: number) {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** Position of the value at `path`, or of the closest existing ancestor (e.g. the map missing a key). */
  of(path: FieldPath): { line: number; column: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.doc.getIn(path.slice(0, depth), true) as Node | undefined;
      if (node && typeof node === "object" && node.range) return this.at(node.range[0]);
      if (depth === 0 && this.doc.contents?.range) return this.at(this.doc.contents.range[0]);
    }
    return { line: 1, column: 1 };
  }

  /** Position of the key `key` inside the map at `path` (for unknown keys). */
  ofKey(path: FieldPath, key: string): { line: number; column: number } {
    const map = path.length ? this.doc.getIn(path, true) : this.doc.contents;
    if (isMap(map)) {
      const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return this.at(keyNode.range[0]);
    }
    return this.of(path);
  }
}

export function dotted(path: FieldPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${p}` : p)).join("");
}
