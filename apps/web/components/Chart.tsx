// A chart: drawn on the server as SVG (the page's first meaningful paint needs no script),
// then replaced in the browser by a live ECharts instance (tooltips, resizing).
import { type ChartSpec, isEmpty, renderSvg } from '@/lib/echarts';
import { displayCurrency, formatCount, formatMoney } from '@/lib/format';
import { LiveChart } from './LiveChart';

export type { ChartSpec } from '@/lib/echarts';

/**
 * Marks the page's first meaningful paint as soon as the streamed HTML holds data (a chart,
 * the pivot table): `npm run bench:web` reads it. Client navigations do not run it.
 */
export function PaintMark({ id }: { id: string }) {
  const js = `performance.getEntriesByName('sg-meaningful-paint').length||performance.mark('sg-meaningful-paint',{detail:${JSON.stringify(id)}})`;
  return <script dangerouslySetInnerHTML={{ __html: js }} />;
}

/** Server width of the drawing; the SVG scales to its container until the live chart takes over. */
const SERVER_WIDTH = 960;

/**
 * The chart's data as a table, right after it (every chart has one: keyboards and screen readers
 * read the figures, not the drawing). A disclosure, so it takes no room until asked for; the table
 * is a focusable region, reached with Tab after its summary. Each value is in data-value.
 */
export function ChartTable({ spec, label, money, currency, id }: { spec: ChartSpec; label: string; money: boolean; currency: string; id: string }) {
  const fmt = (v: number | null) => (v === null ? '—' : money ? formatMoney(v, currency) : formatCount(v));
  const rows = spec.type === 'pie' ? spec.slices.map((s) => ({ name: s.name, values: [s.value] })) : spec.categories.map((c, i) => ({ name: c, values: spec.series.map((s) => s.values[i] ?? null) }));
  const columns = spec.type === 'pie' ? ['Value'] : spec.series.map((s) => s.name || 'Value');
  return (
    <details className="chart-table" data-testid={`${id}-data`}>
      <summary>Show {label.toLowerCase()} as a table</summary>
      <div className="scroll" tabIndex={0} role="region" aria-label={`${label}, data`}>
        <table data-testid={`${id}-table`}>
          <thead><tr><th scope="col">{spec.type === 'pie' ? 'Segment' : 'Period'}</th>{columns.map((c, i) => <th key={`${c}-${i}`} className="num" scope="col">{c}</th>)}</tr></thead>
          <tbody>{rows.map((r) => (
            <tr key={r.name} data-label={r.name}><th scope="row">{r.name}</th>{r.values.map((v, i) => <td key={i} className="num" data-series={columns[i]} data-value={v ?? ''}>{fmt(v)}</td>)}</tr>
          ))}</tbody>
        </table>
      </div>
    </details>
  );
}

export function Chart({ spec, label, money = true, currency = displayCurrency(), theme, height = 280, id, dataTable }: {
  spec: ChartSpec; label: string; money?: boolean; /** Default: the request's (the workspace's reporting currency). */ currency?: string;
  theme?: 'light' | 'dark'; height?: number; id: string;
  /** The chart's data as a table, if the page has its own (exact figures); default: ChartTable of the spec. */ dataTable?: React.ReactNode;
}) {
  if (isEmpty(spec)) return <p className="empty">No data in this range.</p>;
  const svg = renderSvg(spec, money, currency, theme, SERVER_WIDTH, height);
  const partial = spec.type === 'pie' ? [] : spec.categories.filter((_, i) => spec.partial?.[i]);
  return (
    <>
      <LiveChart spec={spec} label={label} money={money} currency={currency} theme={theme} height={height} id={id} svg={svg} />
      {dataTable ?? <ChartTable spec={spec} label={label} money={money} currency={currency} id={id} />}
      {partial.length > 0 && <p className="muted" data-testid={`${id}-partial`} data-partial={partial.join('|')}>Faded: {partial.join(', ')}, not over yet; its figures still grow.</p>}
      <PaintMark id={id} />
    </>
  );
}
