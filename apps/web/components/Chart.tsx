// A chart: drawn on the server as SVG (the page's first meaningful paint needs no script),
// then replaced in the browser by a live ECharts instance (tooltips, resizing).
import { type ChartSpec, isEmpty, renderSvg } from '@/lib/echarts';
import { displayCurrency } from '@/lib/format';
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

export function Chart({ spec, label, money = true, currency = displayCurrency(), theme, height = 280, id }: {
  spec: ChartSpec; label: string; money?: boolean; /** Default: the request's (the workspace's reporting currency). */ currency?: string;
  theme?: 'light' | 'dark'; height?: number; id: string;
}) {
  if (isEmpty(spec)) return <p className="empty">No data in this range.</p>;
  const svg = renderSvg(spec, money, currency, theme, SERVER_WIDTH, height);
  const partial = spec.type === 'pie' ? [] : spec.categories.filter((_, i) => spec.partial?.[i]);
  return (
    <>
      <LiveChart spec={spec} label={label} money={money} currency={currency} theme={theme} height={height} id={id} svg={svg} />
      {partial.length > 0 && <p className="muted" data-testid={`${id}-partial`} data-partial={partial.join('|')}>Faded: {partial.join(', ')}, not over yet; its figures still grow.</p>}
      <PaintMark id={id} />
    </>
  );
}
