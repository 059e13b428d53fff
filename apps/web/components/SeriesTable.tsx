import type { Timeseries } from '@/lib/breakdown';
import { PARTIAL_MARK } from '@/lib/breakdown';
import { formatMeasure, formatTime } from '@/lib/format';

/** A chart's data as a table (for screen readers and keyboards): the API's values per bucket, exact in `data-value`. */
export function SeriesTable({ ts, measure, label, testId }: { ts: Timeseries; measure: string; label: string; testId: string }) {
  const points = ts.series.flatMap((s) => s.points.map((p) => ({ series: s.label || 'Total', p })));
  if (points.length === 0) return null;
  const many = ts.series.length > 1;
  return (
    <details className="chart-table">
      <summary>{label} as a table</summary>
      <div className="scroll" tabIndex={0} role="region" aria-label={`${label}, data`}>
      <table data-testid={testId}>
        <thead><tr><th scope="col">Time</th>{many && <th scope="col">Series</th>}<th className="num" scope="col">Value</th></tr></thead>
        <tbody>{points.map(({ series, p }) => {
          const v = p.measures.find((m) => m.measure === measure)?.value ?? null;
          return (
            <tr key={`${series}-${p.time}`}><td>{formatTime(p.time).replace(' 00:00:00', '')}{p.partial ? ` ${PARTIAL_MARK}` : ''}</td>{many && <td>{series}</td>}
              <td className="num" data-value={v ?? ''}>{formatMeasure(measure, v)}</td></tr>
          );
        })}</tbody>
      </table>
      </div>
    </details>
  );
}
