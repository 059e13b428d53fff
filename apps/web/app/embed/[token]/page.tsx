// An embedded chart or dashboard: minimal chrome, the token's theme. The API looks the token up
// (unknown, expired, revoked) and answers only that chart's (or dashboard's tiles') data; a
// refused token shows an error.
import type { Metadata } from 'next';
import { Chart } from '@/components/Chart';
import { type Node, type Timeseries, barChart, seriesChart, valueOf } from '@/lib/breakdown';
import { API_URL } from '@/lib/config';
import { Tile } from '@/components/DashboardTiles';
import type { Figures, TileSize, ViewState } from '@/lib/views';

export const metadata: Metadata = { robots: { index: false } };

interface DashboardAnswer {
  chart: { kind: 'dashboard'; title?: string | null; theme: 'light' | 'dark' };
  expiresAt: string; currency: string;
  dashboard: { id: string; name: string };
  tiles: Array<{ view: { id: string; name: string; state: ViewState }; size: TileSize } & Figures>;
}

interface EmbedAnswer {
  chart: { kind: 'breakdown' | 'timeseries'; title?: string | null; measures: string[]; by: string[]; theme: 'light' | 'dark'; granularity?: string | null };
  expiresAt: string; breakdown?: Node; timeseries?: Timeseries;
  /** The workspace's reporting currency: money measures are in it. */
  currency: string;
}

async function load(token: string): Promise<{ ok: true; data: EmbedAnswer | DashboardAnswer } | { ok: false; message: string }> {
  try {
    const res = await fetch(`${API_URL}/v1/embeds/${encodeURIComponent(token)}`, { cache: 'no-store' });
    const body = await res.json();
    return res.ok ? { ok: true, data: body as EmbedAnswer } : { ok: false, message: body.message ?? `the API answered ${res.status}` };
  } catch {
    return { ok: false, message: 'the Spendgraph API is unreachable' };
  }
}

export default async function Embed({ params, searchParams }: { params: Promise<{ token: string }>; searchParams: Promise<{ theme?: string }> }) {
  const result = await load((await params).token);
  if (!result.ok) {
    return <main className="embed"><p className="error" role="alert" data-testid="embed-error">This embedded chart cannot be shown: {result.message}.</p></main>;
  }
  const requested = (await searchParams).theme;
  const theme = requested === 'dark' || requested === 'light' ? requested : result.data.chart.theme;
  if (result.data.chart.kind === 'dashboard') return <EmbeddedDashboard data={result.data as DashboardAnswer} theme={theme} />;
  const { chart, breakdown, timeseries, expiresAt, currency } = result.data as EmbedAnswer;
  const measure = chart.measures[0]!;
  const title = chart.title ?? `${measure} by ${chart.by.join(', ') || chart.granularity}`;
  const spec = timeseries
    ? seriesChart(timeseries, measure, 'bar')
    : barChart(breakdown!, measure);
  return (
    <main className={`embed ${theme}`} data-theme={theme}>
      <h1>{title}</h1>
      <Chart id="embed-chart" label={title} theme={theme} money={/cost/.test(measure)} currency={currency} spec={spec} height={300} />
      {breakdown && <p data-testid="embed-total" data-value={valueOf(breakdown, measure) ?? ''} className="muted">Total: {valueOf(breakdown, measure)}</p>}
      <footer>Spendgraph · link valid until {expiresAt}</footer>
    </main>
  );
}

/** A dashboard's tiles, drawn as on the dashboard page from the figures the API answered for the token. */
function EmbeddedDashboard({ data, theme }: { data: DashboardAnswer; theme: 'light' | 'dark' }) {
  return (
    <main className={`embed ${theme}`} data-theme={theme} data-testid="embed-dashboard">
      <h1>{data.dashboard.name}</h1>
      <div className="dashboard-grid">
        {data.tiles.map((t, i) => {
          const figures = (t.timeseries ? { timeseries: t.timeseries } : { breakdown: t.breakdown! }) as Figures;
          return <Tile key={t.view.id + i} index={i} name={t.view.name} state={t.view.state} size={t.size} figures={figures} theme={theme} currency={data.currency} linked={false} />;
        })}
      </div>
      <footer>Spendgraph · link valid until {data.expiresAt}</footer>
    </main>
  );
}
