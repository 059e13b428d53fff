// Chart data from API answers: unknown costs (only unpriced calls) are never drawn as $0, and
// buckets still filling are marked.
import { describe, expect, it } from 'vitest';
import { type Node, barChart, periodLabel, seriesChart } from '../lib/breakdown.ts';

const node = (label: string, cost: string | null): Node => ({
  dimension: 'model', value: label, label, other: false, otherCount: null, path: [], children: [],
  measures: [{ measure: 'total_cost', value: cost, share: null }],
});

describe('charts', () => {
  it('draws no bar, and says so, for an unknown cost', () => {
    const spec = barChart({ ...node('Total', '1.5'), children: [node('claude-sonnet-4-5', '1.5'), node('acme-coder-13b', null)] }, 'total_cost');
    expect(spec.categories).toEqual(['claude-sonnet-4-5', 'acme-coder-13b (unpriced)']);
    expect(spec.series[0]!.values).toEqual([1.5, null]);
  });

  it('keeps unknown daily costs unknown and marks the partial bucket', () => {
    const spec = seriesChart({
      series: [{ label: '', key: [], points: [
        { time: '2026-12-01T00:00:00.000', partial: false, measures: [{ measure: 'total_cost', value: null }] },
        { time: '2026-12-02T00:00:00.000', partial: true, measures: [{ measure: 'total_cost', value: '2' }] },
      ] }],
    }, 'total_cost', 'bar');
    expect(spec.series[0]!.values).toEqual([null, 2]);
    expect(spec.categories).toEqual(['2026-12-01', '2026-12-02 (so far)']);
    expect(spec.partial).toEqual([false, true]);
  });

  it('names a period by its days, the last one included', () => {
    expect(periodLabel({ from: '2026-11-26T00:00:00Z', to: '2026-12-03T00:00:00Z', partial: true, timezone: 'UTC' })).toBe('26 Nov – 2 Dec 2026 (UTC), today so far');
  });
});
