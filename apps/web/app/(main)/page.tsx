// Overview: this period vs the last, the trend, the split by provider and model, the top
// plans/users/customers/features, budgets at risk, recent alerts and unpriced calls; above them
// the dashboard pinned as the workspace's overview, if any (each tile keeps its own view's range).
import Link from 'next/link';
import { Suspense, cache } from 'react';
import { ApiErrors } from '@/components/ApiErrors';
import { BudgetStandingCells } from '@/components/BudgetStandingCells';
import { Chart } from '@/components/Chart';
import { EmbedShareIfAllowed } from '@/components/EmbedShareIfAllowed';
import { SegmentTable } from '@/components/SegmentTable';
import { DashboardTiles } from '@/components/DashboardTiles';
import { gql } from '@/lib/api';
import { barChart, periodLabel, seriesChart, valueOf } from '@/lib/breakdown';
import { OverviewBreakdownsDocument, OverviewBudgetsDocument, OverviewSummaryDocument, PinnedDashboardDocument } from '@/lib/graphql/operations';
import { RangePicker } from '@/components/RangePicker';
import { VsPrevious } from '@/components/VsPrevious';
import { describeChange, formatMeasure, formatMoney, formatTime, formatUnitMoney } from '@/lib/format';
import { type SearchParams, type TimeRange, parseCompare, parseRange, previousRange, rangeName, rangeSearch } from '@/lib/query-state';

// Periods are the API's (packages/periods): `last N days` is today and the N-1 days before.
type Range = TimeRange & { previous?: boolean };

function Kpi({ label, value, sub, testId, raw }: { label: string; value: string; sub?: React.ReactNode; testId: string; raw?: string | null }) {
  return (
    <div className="panel kpi" data-testid={testId} data-value={raw ?? ''}>
      <div className="label">{label}</div><div className="value">{value}</div>{sub && <div className="sub">{sub}</div>}
    </div>
  );
}

function Pending({ height = 120 }: { height?: number }) {
  return <div className="skeleton" style={{ height }} role="status" aria-busy="true" aria-label="Loading" />;
}

// Sections stream in as their data arrives (one request each, graphql/operations/overview.graphql); the figures and the trend come first.
export default async function Overview({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const days = Number(params.days); // the former `?days=N` links still work
  const current: Range = [7, 30, 90].includes(days) ? { relative: `last ${days} days` } : parseRange(params);
  const previous: Range = previousRange(current);
  return (
    <>
      <h2>Overview</h2>
      <Suspense fallback={<Pending height={280} />}><Pinned /></Suspense>
      <RangePicker path="/" range={current} compare={parseCompare(params)} />
      <Suspense fallback={<><Pending /><Pending height={300} /></>}><Summary current={current} previous={previous} compare={parseCompare(params)} /></Suspense>
      <Suspense fallback={<Pending height={300} />}><Split current={current} /></Suspense>
      <Suspense fallback={<Pending height={200} />}><Tops current={current} /></Suspense>
      <Suspense fallback={<Pending />}><Budgets /></Suspense>
    </>
  );
}

/** The pinned dashboard, with a link to it; nothing when none is pinned. */
async function Pinned() {
  const res = await gql(PinnedDashboardDocument);
  // A key restricted to some values reads no dashboards (their views are not limited to its values): the overview stays as it was.
  if (!res.ok) return res.errors.every((e) => e.code === 'FORBIDDEN') ? null : <ApiErrors errors={res.errors} />;
  const d = res.data.pinnedDashboard;
  if (!d) return null;
  return (
    <section data-testid="pinned-dashboard" data-id={d.id} style={{ marginBottom: 16 }}>
      <h3><Link href={`/dashboards/${d.id}`}>{d.name}</Link> <span className="muted">pinned dashboard</span></h3>
      <DashboardTiles tiles={d.tiles} />
    </section>
  );
}

async function Summary({ current, previous, compare }: { current: Range; previous: Range; compare: boolean }) {
  const res = await gql(OverviewSummaryDocument, { range: current, previous });
  if (!res.ok) return <ApiErrors errors={res.errors} />;
  const d = res.data;
  const cost = valueOf(d.current, 'total_cost');
  const prevCost = valueOf(d.previous, 'total_cost');
  const unpriced = Number(valueOf(d.current, 'unpriced_calls') ?? 0);
  // A change against a period with almost no calls (the workspace had just started) says nothing.
  const change = describeChange(cost, prevCost, { current: valueOf(d.current, 'calls'), previous: valueOf(d.previous, 'calls') });
  const name = rangeName(current);
  // Both asked with a time range: the API names their periods (null only without one).
  const period = d.current.period!;
  const prevPeriod = d.previous.period!;
  // The spend always compares; with compare=previous every figure does (its value then, and the change).
  const activity = { current: valueOf(d.current, 'calls'), previous: valueOf(d.previous, 'calls') };
  const before = (m: string, text: string) => (compare ? <VsPrevious measure={m} current={valueOf(d.current, m)} previous={valueOf(d.previous, m)} activity={activity} testId={`kpi-${m}-previous`} /> : text);
  return (
    <>
      {unpriced > 0 && (
        <p className="callout" data-testid="unpriced">
          <strong>{formatMeasure('calls', unpriced)} unpriced calls</strong> in this period: their cost is unknown (no price for the model or a token type), so the totals leave them out.{' '}
          <Link href={`/events?f=unpriced|equals|true&${rangeSearch(current)}`}>See them</Link>
        </p>
      )}
      <p className="muted" data-testid="overview-period" data-from={period.from} data-to={period.to} data-partial={String(period.partial)}>
        {periodLabel(period)} · compared with {periodLabel(prevPeriod)}
      </p>
      <div className="kpis">
        <Kpi testId="kpi-cost" label={`Spend, ${name}${period.partial ? ' (today so far)' : ''}`} value={formatMoney(cost)} raw={cost}
          sub={<><span data-testid="kpi-cost-change" data-comparable={String(change.comparable)} title={change.why}>{change.text}{change.why && <span role="img" aria-label={change.why} title={change.why}> ⓘ</span>}</span> vs previous period ({formatMoney(prevCost)})</>} />
        <Kpi testId="kpi-calls" label="Calls" value={formatMeasure('calls', valueOf(d.current, 'calls'))} raw={valueOf(d.current, 'calls')} sub={before('calls', `${formatMeasure('calls', valueOf(d.previous, 'calls'))} before`)} />
        <Kpi testId="kpi-errors" label="Error rate" value={formatMeasure('error_rate', valueOf(d.current, 'error_rate'))} raw={valueOf(d.current, 'error_rate')} sub={before('error_rate', `${formatMeasure('error_rate', valueOf(d.previous, 'error_rate'))} before`)} />
        <Kpi testId="kpi-avg" label="Avg cost per call" value={formatUnitMoney(valueOf(d.current, 'avg_cost_per_call'))} raw={valueOf(d.current, 'avg_cost_per_call')} sub={before('avg_cost_per_call', `${formatUnitMoney(valueOf(d.previous, 'avg_cost_per_call'))} before`)} />
      </div>
      <section className="panel" style={{ marginBottom: 16 }}>
        <h3>Daily spend</h3>
        <Chart id="overview-trend" label="Daily spend" spec={seriesChart(d.trend, 'total_cost', 'bar')} />
        <EmbedShareIfAllowed spec={{ kind: 'timeseries', title: `Daily spend, ${name}`, measures: ['total_cost'], by: [], filters: [], timeRange: current, granularity: 'day' }} />
      </section>
    </>
  );
}

/** The breakdowns Split and Tops show, asked once per page render (keyed by the range's text: cache compares arguments by identity). */
const breakdownsOf = cache((range: string) => gql(OverviewBreakdownsDocument, { range: JSON.parse(range) as Range }));
const breakdowns = (range: Range) => breakdownsOf(JSON.stringify(range));

async function Split({ current }: { current: Range }) {
  const res = await breakdowns(current);
  if (!res.ok) return <ApiErrors errors={res.errors} />;
  const { providers } = res.data;
  const models = providers.children.flatMap((p) => p.children.filter((m) => !m.other));
  return (
    <div className="grid">
      <section className="panel">
        <h3>By provider</h3>
        <Chart id="overview-providers" label="Spend by provider" spec={{ type: 'pie', slices: providers.children.filter((c) => valueOf(c, 'total_cost') !== null).map((c) => ({ name: c.label, value: Number(valueOf(c, 'total_cost')) })) }} />
        <EmbedShareIfAllowed spec={{ kind: 'breakdown', title: 'Spend by provider', measures: ['total_cost'], by: ['provider'], filters: [], timeRange: current, limit: 6 }} />
      </section>
      <section className="panel">
        <h3>By model</h3>
        <Chart id="overview-models" label="Spend by model" height={Math.max(200, models.length * 28 + 40)} spec={barChart({ ...providers, children: models }, 'total_cost', 'Cost')} />
        <p className="muted"><Link href={`/explore?m=total_cost,calls&by=provider,model&${rangeSearch(current)}`}>Explore by provider and model →</Link></p>
      </section>
    </div>
  );
}

async function Tops({ current }: { current: Range }) {
  const res = await breakdowns(current);
  if (!res.ok) return <ApiErrors errors={res.errors} />;
  const d = res.data;
  return (
    <div className="grid">
      <SegmentTable testId="top-plans" title="Top plans" node={d.plans} href={(v) => `/plans/compare?ids=${encodeURIComponent(v)}`} />
      <SegmentTable testId="top-users" title="Top users" node={d.users} href={(v) => `/events?f=${encodeURIComponent(`user_id|equals|${encodeURIComponent(v)}`)}`} />
      <SegmentTable testId="top-customers" title="Top customers" node={d.customers} href={(v) => `/customers/${encodeURIComponent(v)}`} />
      <SegmentTable testId="top-features" title="Top features" node={d.features} href={(v) => `/features/${encodeURIComponent(v)}`} />
    </div>
  );
}

async function Budgets() {
  const res = await gql(OverviewBudgetsDocument, { since: new Date(Date.now() - 7 * 86_400_000).toISOString() });
  if (!res.ok) return <ApiErrors errors={res.errors} />;
  const atRisk = res.data.budgets.filter((b) => b.atRisk); // the morning report's list too
  const alerts = res.data.budgetAlerts.slice(-10).reverse();
  return (
    <div className="grid">
      <section className="panel" data-testid="budgets-at-risk">
        <h3>Budgets at risk</h3>
        {atRisk.length === 0 ? <p className="empty">No budget is near its limit.</p> : (
          <table><tbody>{atRisk.map((b) => (
            <tr key={b.id}><td><Link href={`/budgets/${b.id}`}>{b.name}</Link></td><BudgetStandingCells b={b} /></tr>
          ))}</tbody></table>
        )}
      </section>
      <section className="panel" data-testid="recent-alerts">
        <h3>Recent alerts (7 days)</h3>
        {alerts.length === 0 ? <p className="empty">No alerts in the last 7 days.</p> : (
          <table><tbody>{alerts.map((a) => (
            <tr key={a.id}><td>{formatTime(a.occurredAt)}</td><td><Link href={`/budgets/${a.budgetId}`}>{a.budgetName}</Link></td>
              <td>{a.kind === 'forecast' ? 'projected to cross' : `${a.threshold}% reached`}</td><td className="num">{formatMoney(a.spend)} / {formatMoney(a.limit)}</td></tr>
          ))}</tbody></table>
        )}
      </section>
    </div>
  );
}
