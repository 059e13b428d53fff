// Shapes of the API's breakdown and timeseries answers, and the GraphQL selections that fetch them.
export interface MeasureValue { measure: string; value: string | null; share: number | null }
export interface Node {
  dimension: string | null; value: string | null; label: string; other: boolean; otherCount: number | null;
  path: Array<{ dimension: string; value: string | null }>; measures: MeasureValue[]; children: Node[];
}
export interface Timeseries { series: Array<{ label: string; key: Array<{ dimension: string; value: string | null }>; points: Array<{ time: string; measures: MeasureValue[] }> }> }

const NODE = 'dimension value label other otherCount path { dimension value } measures { measure value share }';
/** A breakdown selection nested `depth` levels deep (the deepest level's `children` are empty). */
export function nodeSelection(depth: number): string {
  return `${NODE} children { ${depth <= 0 ? 'label' : nodeSelection(depth - 1)} }`;
}
export const SERIES = 'series { label key { dimension value } points { time measures { measure value } } }';

export function valueOf(node: Pick<Node, 'measures'> | undefined, measure: string): string | null {
  return node?.measures.find((m) => m.measure === measure)?.value ?? null;
}

/** Line/bar chart data from a timeseries (first measure). */
export function seriesChart(ts: Timeseries, measure: string, type: 'line' | 'bar' = 'line') {
  const categories = [...new Set(ts.series.flatMap((s) => s.points.map((p) => p.time.slice(0, 16).replace('T00:00', ''))))].sort();
  const series = ts.series.map((s) => {
    const byTime = new Map(s.points.map((p) => [p.time.slice(0, 16).replace('T00:00', ''), p.measures.find((m) => m.measure === measure)?.value]));
    return { name: s.label || 'Total', values: categories.map((c) => (byTime.has(c) ? Number(byTime.get(c) ?? 0) : 0)) };
  });
  return { type, categories, series, stacked: type === 'bar' || series.length > 1 };
}
