// Shapes of the API's breakdown and timeseries answers (types generated from the fragments in
// graphql/operations/breakdown.graphql), and what the pages draw from them.
import type { BreakdownLevel7Fragment, BreakdownNodeFieldsFragment, PeriodFieldsFragment, SeriesFieldsFragment } from './graphql/operations.ts';
import type * as Schema from './graphql/schema.ts';

export type MeasureValue = Schema.MeasureValue;
/** A breakdown node at any depth (`asTree`). */
export type Node = BreakdownNodeFieldsFragment & { children: Node[] };
/** A breakdown level whose children are shown: a BreakdownLevel1 (or deeper) fragment, or a Node. */
export type Level = BreakdownNodeFieldsFragment & { children: BreakdownNodeFieldsFragment[] };
/** The absolute period the API answered for a range; `partial` while it is not over (it holds today). */
export type Period = PeriodFieldsFragment;
export type Timeseries = Pick<SeriesFieldsFragment, 'series'> & Partial<Pick<SeriesFieldsFragment, 'period'>>;

/**
 * A breakdown asked as deep as the API goes (BreakdownLevel7) as a tree of nodes for the pivot
 * table and tiles: a node below the levels the query's `by` named has no children, so the deepest
 * selection (its children's labels only) always comes back empty.
 */
export function asTree(root: BreakdownLevel7Fragment): Node {
  return root as Node;
}

/** A period's first and last UTC day (an exclusive midnight end is the day before): bills and pools are per UTC day. */
export function utcDays(p: Period): { from: string; to: string } {
  const end = p.to.slice(11, 19) === '00:00:00' ? new Date(Date.parse(`${p.to.slice(0, 10)}T00:00:00Z`) - 86_400_000).toISOString() : p.to;
  return { from: p.from.slice(0, 10), to: end.slice(0, 10) };
}

export function valueOf(node: { measures: Array<{ measure: string; value: string | null }> } | undefined, measure: string): string | null {
  return node?.measures.find((m) => m.measure === measure)?.value ?? null;
}

/** A value for a chart: null stays null (an unpriced call's cost is unknown, never drawn as 0). */
export function chartValue(v: string | null | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** Bars of a breakdown level: labels say `(unpriced)` where the cost is unknown. */
export function barChart(node: Level, measure: string, name = measure) {
  const children = node.children;
  return {
    type: 'bar' as const,
    categories: children.map((c) => (valueOf(c, measure) === null && /cost/.test(measure) ? `${c.label} (unpriced)` : c.label)),
    series: [{ name, values: children.map((c) => chartValue(valueOf(c, measure))) }],
    horizontal: true,
  };
}

export const PARTIAL_MARK = '(so far)';

/** `26 Nov – 2 Dec 2026 (UTC)`: a period's days as people read them (`to` is exclusive). */
export function periodLabel(p: Period): string {
  const day = (iso: string) => new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  const last = new Date(Date.parse(`${p.to.slice(0, 10)}T00:00:00Z`) - (p.to.slice(11, 19) === '00:00:00' ? 86_400_000 : 0));
  const fmt = (d: Date, year: boolean) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(year ? { year: 'numeric' } : {}), timeZone: 'UTC' });
  return `${fmt(day(p.from), false)} – ${fmt(last, true)} (${p.timezone})${p.partial ? ', today so far' : ''}`;
}

/** Line/bar chart data from a timeseries (first measure). */
export function seriesChart(ts: Timeseries, measure: string, type: 'line' | 'bar' = 'line') {
  const categories = [...new Set(ts.series.flatMap((s) => s.points.map((p) => p.time.slice(0, 16).replace('T00:00', ''))))].sort();
  const series = ts.series.map((s) => {
    const byTime = new Map(s.points.map((p) => [p.time.slice(0, 16).replace('T00:00', ''), p.measures.find((m) => m.measure === measure)?.value]));
    // No events in a bucket: 0. Events whose value is unknown (only unpriced calls): no bar.
    return { name: s.label || 'Total', values: categories.map((c) => (byTime.has(c) ? chartValue(byTime.get(c)) : 0)) };
  });
  // A bucket still filling (today, this month) is drawn faded and labelled, not read as a drop.
  const partialAt = new Set(ts.series.flatMap((s) => s.points.filter((p) => p.partial).map((p) => p.time.slice(0, 16).replace('T00:00', ''))));
  const partial = categories.map((c) => partialAt.has(c));
  return { type, categories: categories.map((c, i) => (partial[i] ? `${c} ${PARTIAL_MARK}` : c)), series, stacked: type === 'bar' || series.length > 1, partial };
}
