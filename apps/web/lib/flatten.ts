// A breakdown tree as the rows of an export: one row per node (the total first), with the
// labels of its path as columns.
import type { Node } from './breakdown';

export interface FlatRow { level: number; path: Array<string | null>; values: Record<string, string | null> }

/** Depth-first, children in the given order (the table's current sort). */
export function flatten(root: Node, by: string[], measures: string[], order: (nodes: Node[]) => Node[] = (n) => n): FlatRow[] {
  const rows: FlatRow[] = [];
  const walk = (node: Node, labels: string[]) => {
    rows.push({
      level: labels.length,
      path: by.map((_, i) => labels[i] ?? null),
      values: Object.fromEntries(measures.map((m) => [m, node.measures.find((x) => x.measure === m)?.value ?? null])),
    });
    for (const c of order(node.children)) walk(c, [...labels, c.label]);
  };
  walk(root, []);
  return rows;
}

function csvCell(v: string | number | null) {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: FlatRow[], by: string[], measures: string[]) {
  const header = ['level', ...by, ...measures];
  const lines = [header, ...rows.map((r) => [r.level, ...r.path, ...measures.map((m) => r.values[m] ?? null)])];
  return lines.map((line) => line.map(csvCell).join(',')).join('\n') + '\n';
}
