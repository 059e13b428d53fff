// A dashboard's tiles, each a saved view drawn by the explorer's own components (Chart,
// PivotTable) from the API's figures; the same for the dashboard page, the overview and the
// embed. Each tile carries its figures (data-figures) as the API answered them.
import { Suspense } from 'react';
import { ApiErrors } from './ApiErrors';
import { Chart } from './Chart';
import { PivotTable } from './PivotTable';
import { barChart, seriesChart } from '@/lib/breakdown';
import { displayCurrency } from '@/lib/format';
import { type Figures, type TileSize, type ViewState, tileFigures, viewHref, viewRange } from '@/lib/views';

const mv = (ms: Array<{ measure: string; value: string | null }>) => ms.map((m) => ({ measure: m.measure, value: m.value }));

/** The figures a tile shows, as plain data (what tests compare with the API's answer). */
export function figureData(f: Figures) {
  if (f.breakdown) return { measures: mv(f.breakdown.measures), children: f.breakdown.children.map((c) => ({ value: c.value, measures: mv(c.measures) })) };
  return { series: f.timeseries.series.map((s) => ({ label: s.label, points: s.points.map((p) => ({ time: p.time, measures: mv(p.measures) })) })) };
}

interface TileProps {
  index: number; name: string; state: ViewState; size: TileSize; figures: Figures;
  theme?: 'light' | 'dark'; currency?: string; /** Links into the explorer (not in an embed). */ linked?: boolean;
}

/** One tile drawn from figures already answered. */
export function Tile({ index, name, state, size, figures, theme, currency = displayCurrency(), linked = true }: TileProps) {
  const measure = state.measures[0]!;
  const money = /cost/.test(measure);
  return (
    <section className={`panel tile tile-${size}`} data-testid="dashboard-tile" data-name={name} data-figures={JSON.stringify(figureData(figures))}>
      <h3>{linked ? <a href={viewHref(state)}>{name}</a> : name}</h3>
      {figures.timeseries && <Chart id={`tile-${index}`} label={name} theme={theme} money={money} currency={currency} spec={seriesChart(figures.timeseries, measure, 'bar')} height={240} />}
      {figures.breakdown && state.chart === 'bar' && <Chart id={`tile-${index}`} label={name} theme={theme} money={money} currency={currency} spec={barChart(figures.breakdown, measure)} height={240} />}
      {figures.breakdown && state.chart === 'table' && (
        <PivotTable root={figures.breakdown} by={state.by} filters={state.filters} range={viewRange(state.timeRange)} initialSort={null}
          measures={state.measures.map((m) => ({ name: m, title: m }))} currency={currency} />
      )}
    </section>
  );
}

/** A tile whose figures are asked of the API as it renders (streams in on its own). */
async function LiveTile({ index, name, state, size }: Omit<TileProps, 'figures'>) {
  const res = await tileFigures(state);
  if (!res.ok) return <section className={`panel tile tile-${size}`} data-testid="dashboard-tile" data-name={name}><h3>{name}</h3><ApiErrors errors={res.errors} /></section>;
  return <Tile index={index} name={name} state={state} size={size} figures={res.figures} />;
}

export function DashboardTiles({ tiles }: { tiles: Array<{ size: TileSize; view: { name: string; state: ViewState } }> }) {
  if (!tiles.length) return <p className="empty" data-testid="dashboard-empty">This dashboard has no tiles yet: add saved views below.</p>;
  return (
    <div className="dashboard-grid" data-testid="dashboard-grid">
      {tiles.map((t, i) => (
        <Suspense key={i} fallback={<div className={`skeleton tile tile-${t.size}`} style={{ height: 280 }} role="status" aria-busy="true" aria-label={`Loading ${t.view.name}`} />}>
          <LiveTile index={i} name={t.view.name} state={t.view.state} size={t.size} />
        </Suspense>
      ))}
    </div>
  );
}
