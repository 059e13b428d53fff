// An answer against the truth: every node/point equal (sums, counts, percentiles and distinct
// counts exactly; quotients to 1e-9 relative), no group missing or extra, and every tree's
// children adding up to their parent exactly.
import { Decimal } from 'decimal.js';
import type { Answer } from './surfaces.ts';
import { ADDITIVE, RATIOS, type Values } from './truth.ts';

export interface Diff { kind: 'value' | 'missing' | 'extra' | 'children-sum' | 'spend' | 'refused'; where: string; measure?: string; api?: string | null; truth?: string | null }

export function sameValue(measure: string, api: string | null | undefined, truth: string | null | undefined): boolean {
  if (api === null || api === undefined || truth === null || truth === undefined) return (api ?? null) === (truth ?? null);
  const a = new Decimal(api);
  const t = new Decimal(truth);
  if (!RATIOS.has(measure)) return a.eq(t);
  return a.minus(t).abs().lte(Decimal.max(1, t.abs()).times(1e-9));
}

function compareValues(where: string, api: Values, truth: Values, diffs: Diff[]) {
  for (const [m, t] of Object.entries(truth)) {
    if (!sameValue(m, api[m], t)) diffs.push({ kind: 'value', where, measure: m, api: api[m] ?? null, truth: t });
  }
}

function compareKeyed(apiEntries: Array<[string, Values]>, truth: Map<string, Values>, diffs: Diff[]) {
  const seen = new Set<string>();
  for (const [k, v] of apiEntries) {
    seen.add(k);
    const t = truth.get(k);
    if (t) compareValues(k, v, t, diffs);
    else diffs.push({ kind: 'extra', where: k });
  }
  for (const k of truth.keys()) if (!seen.has(k)) diffs.push({ kind: 'missing', where: k });
}

/** Children of each node, summed, against the node, for the additive measures. */
function childrenSums(nodes: Extract<Answer, { kind: 'tree' }>['nodes'], diffs: Diff[]) {
  const byParent = Map.groupBy(nodes.filter((n) => n.path.length), (n) => JSON.stringify(n.path.slice(0, -1)));
  for (const parent of nodes) {
    const kids = byParent.get(JSON.stringify(parent.path));
    if (!kids?.length) continue;
    for (const m of Object.keys(parent.values).filter((x) => ADDITIVE.has(x))) {
      const present = kids.filter((k) => k.values[m] !== null && k.values[m] !== undefined);
      const sum = present.length ? present.reduce((s, k) => s.plus(k.values[m]!), new Decimal(0)).toFixed() : null;
      if (!sameValue(m, sum, parent.values[m] ?? null)) diffs.push({ kind: 'children-sum', where: JSON.stringify(parent.path), measure: m, api: sum, truth: parent.values[m] ?? null });
    }
  }
}

export function compareTree(answer: Extract<Answer, { kind: 'tree' }>, truth: Map<string, Values>): Diff[] {
  const diffs: Diff[] = [];
  compareKeyed(answer.nodes.map((n) => [JSON.stringify(n.path), n.values]), truth, diffs);
  childrenSums(answer.nodes, diffs);
  return diffs;
}

export function compareSeries(answer: Extract<Answer, { kind: 'series' }>, truth: Map<string, Values>): Diff[] {
  const diffs: Diff[] = [];
  compareKeyed(answer.points.map((p) => [JSON.stringify([p.key, p.time]), p.values]), truth, diffs);
  return diffs;
}

export function compareSpend(api: string, truth: string): Diff[] {
  return new Decimal(api).eq(truth) ? [] : [{ kind: 'spend', where: 'budget', measure: 'spend', api, truth }];
}
