import Link from 'next/link';
import { type Level, valueOf } from '@/lib/breakdown';
import { formatMeasure, formatPercent } from '@/lib/format';

/** `Top sessions` -> `Sessions`: the first column's heading. */
const column = (title: string) => title.replace(/^Top (\w)/, (_, c: string) => c.toUpperCase());

/** A breakdown level as a small table: label (optionally linked), cost, share, calls. */
export function SegmentTable({ title, node, href, testId, cost: costMeasure = 'total_cost', calls = 'calls' }: {
  title: string; node: Level; href?: (value: string) => string; testId: string; /** Measure names (work items: their shares). */ cost?: string; calls?: string;
}) {
  return (
    <section className="panel" aria-labelledby={`${testId}-h`} data-testid={testId}>
      <h3 id={`${testId}-h`}>{title}</h3>
      {node.children.length === 0 ? <p className="empty">No data in this period.</p> : (
        <table>
          <thead><tr><th scope="col">{column(title)}</th><th className="num" scope="col">Cost</th><th className="num" scope="col">Share</th><th className="num" scope="col">Calls</th></tr></thead>
          <tbody>
            {node.children.map((c) => {
              const cost = valueOf(c, costMeasure);
              return (
                <tr key={c.label}>
                  <td>{href && c.value !== null && !c.other ? <Link href={href(c.value)}>{c.label}</Link> : c.label}</td>
                  <td className="num" data-value={cost ?? ''}>{formatMeasure(costMeasure, cost)}</td>
                  <td className="num">{formatPercent(c.measures.find((m) => m.measure === costMeasure)?.share)}</td>
                  <td className="num">{formatMeasure(calls, valueOf(c, calls))}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
