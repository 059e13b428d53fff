// Overview: this period vs the last, the trend, the split by provider and model, the top
// plans/users/customers/features, budgets at risk, recent alerts and unpriced calls.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { Chart } from '@/components/Chart';
import { SegmentTable } from '@/components/SegmentTable';
import { gql } from '@/lib/api';
import { type Node, SERIES, type Timeseries, nodeSelection, seriesChart, valueOf } from '@/lib/breakdown';
import { formatChange, formatMeasure, formatMoney, formatTime } from '@/lib/format';
import { PERIOD_DAYS, periods } from '@/lib/periods';

const TOTALS = ['total_cost', 'calls', 'unpriced_calls', 'error_rate', 'distinct_sessions'];
const M = '["total_cost", "calls"]';
const top = (dim: string) => `breakdown(measures: ${M}, by: ["${dim}"], timeRange: $range, limit: 5) { ${nodeSelection(1)} }`;

const QUERY = `query Overview($range: TimeRange!, $previous: TimeRange!, $since: String!) {
  current: breakdown(measures: ${JSON.stringify(TOTALS)}, by: [], timeRange: $range) { ${nodeSelection(0)} }
  previous: breakdown(measures: ${JSON.stringify(TOTALS)}, by: [], timeRange: $previous) { ${nodeSelection(0)} }
  trend: timeseries(measures: ["total_cost"], granularity: day, timeRange: $range) { ${SERIES} }
  providers: breakdown(measures: ${M}, by: ["provider", "model"], timeRange: $range, limit: 6) { ${nodeSelection(2)} }
  plans: ${top('plan_id')}
  users: ${top('user_id')}
  customers: ${top('customer_id')}
  features: ${top('feature')}
  budgets { id name state spend amount currency percentUsed projectedSpend blocking periodEnd }
  budgetAlerts(since: $since, first: 200) { id budgetId budgetName kind threshold spend limit currency occurredAt }
}`;

interface Data {
  current: Node; previous: Node; trend: Timeseries; providers: Node; plans: Node; users: Node; customers: Node; features: Node;
  budgets: Array<{ id: string; name: string; state: string; spend: string; amount: string; currency: string; percentUsed: number; projectedSpend: string | null; blocking: boolean; periodEnd: string | null }>;
  budgetAlerts: Array<{ id: string; budgetId: string; budgetName: string; kind: string; threshold: number | null; spend: string; limit: string; currency: string; occurredAt: string }>;
}

function Kpi({ label, value, sub, testId, raw }: { label: string; value: string; sub?: string; testId: string; raw?: string | null }) {
  return (
    <div className="panel kpi" data-testid={testId} data-value={raw ?? ''}>
      <div className="label">{label}</div><div className="value">{value}</div>{sub && <div className="sub">{sub}</div>}
    </div>
  );
}

export default async function Overview({ searchParams }: { searchParams: Promise<{ days?: string }> }) {
  const days = PERIOD_DAYS.includes(Number((await searchParams).days)) ? Number((await searchParams).days) : 30;
  const { current, previous } = periods(days);
  const since = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const res = await gql<Data>(QUERY, { range: current, previous, since });
  if (!res.ok) return <><h2>Overview</h2><ApiErrors errors={res.errors} /></>;
  const d = res.data;
  const cost = valueOf(d.current, 'total_cost');
  const prevCost = valueOf(d.previous, 'total_cost');
  const unpriced = Number(valueOf(d.current, 'unpriced_calls') ?? 0);
  const atRisk = d.budgets.filter((b) => b.state === 'warning' || b.state === 'over' || b.blocking);
  const alerts = d.budgetAlerts.slice(-10).reverse();
  const explore = (by: string) => `/explore?m=total_cost,calls&by=${by}&from=${current.from}&to=${current.to}`;

  return (
    <>
      <div className="toolbar" style={{ justifyContent: 'space-between' }}>
        <h2>Overview <span className="muted" style={{ fontSize: 13, fontWeight: 400 }}>{current.from} – {current.to} (UTC)</span></h2>
        <nav aria-label="Period" className="chips">
          {PERIOD_DAYS.map((n) => <Link key={n} className="chip" style={{ paddingRight: 10, fontWeight: n === days ? 700 : 400 }} href={`/?days=${n}`} aria-current={n === days ? 'page' : undefined}>Last {n} days</Link>)}
        </nav>
      </div>
      {unpriced > 0 && (
        <p className="callout" data-testid="unpriced">
          <strong>{formatMeasure('calls', unpriced)} unpriced calls</strong> in this period: their cost is unknown (no price for the model or a token type), so the totals leave them out.{' '}
          <Link href={`/events?f=unpriced|equals|true&from=${current.from}&to=${current.to}`}>See them</Link>
        </p>
      )}
      <div className="kpis">
        <Kpi testId="kpi-cost" label={`Spend, last ${days} days`} value={formatMoney(cost)} raw={cost} sub={`${formatChange(Number(cost ?? 0), Number(prevCost ?? 0))} vs previous ${days} days (${formatMoney(prevCost)})`} />
        <Kpi testId="kpi-calls" label="Calls" value={formatMeasure('calls', valueOf(d.current, 'calls'))} raw={valueOf(d.current, 'calls')} sub={`${formatMeasure('calls', valueOf(d.previous, 'calls'))} before`} />
        <Kpi testId="kpi-errors" label="Error rate" value={formatMeasure('error_rate', valueOf(d.current, 'error_rate'))} raw={valueOf(d.current, 'error_rate')} />
        <Kpi testId="kpi-sessions" label="Sessions" value={formatMeasure('distinct_sessions', valueOf(d.current, 'distinct_sessions'))} raw={valueOf(d.current, 'distinct_sessions')} />
      </div>
      <div className="grid">
        <section className="panel" style={{ gridColumn: '1 / -1' }}>
          <h3>Daily spend</h3>
          <Chart id="overview-trend" label="Daily spend" spec={seriesChart(d.trend, 'total_cost', 'bar')} />
        </section>
        <section className="panel">
          <h3>By provider</h3>
          <Chart id="overview-providers" label="Spend by provider" spec={{ type: 'pie', slices: d.providers.children.map((c) => ({ name: c.label, value: Number(valueOf(c, 'total_cost') ?? 0) })) }} />
        </section>
        <section className="panel">
          <h3>By model</h3>
          <Chart id="overview-models" label="Spend by model" spec={{
            type: 'bar', categories: d.providers.children.flatMap((p) => p.children.filter((m) => !m.other).map((m) => m.label)),
            series: [{ name: 'Cost', values: d.providers.children.flatMap((p) => p.children.filter((m) => !m.other).map((m) => Number(valueOf(m, 'total_cost') ?? 0))) }],
          }} />
        </section>
      </div>
      <div className="grid">
        <SegmentTable testId="top-plans" title="Top plans" node={d.plans} href={(v) => `/plans/compare?ids=${encodeURIComponent(v)}`} />
        <SegmentTable testId="top-users" title="Top users" node={d.users} href={(v) => `/events?f=${encodeURIComponent(`user_id|equals|${encodeURIComponent(v)}`)}`} />
        <SegmentTable testId="top-customers" title="Top customers" node={d.customers} href={(v) => `/customers/${encodeURIComponent(v)}`} />
        <SegmentTable testId="top-features" title="Top features" node={d.features} href={(v) => `/features/${encodeURIComponent(v)}`} />
      </div>
      <div className="grid">
        <section className="panel" data-testid="budgets-at-risk">
          <h3>Budgets at risk</h3>
          {atRisk.length === 0 ? <p className="empty">No budget is near its limit.</p> : (
            <table><tbody>{atRisk.map((b) => (
              <tr key={b.id}><td><Link href={`/budgets/${b.id}`}>{b.name}</Link></td><td><span className={`badge ${b.state}`}>{b.blocking ? 'blocking' : b.state}</span></td>
                <td className="num">{formatMoney(b.spend)} / {formatMoney(b.amount)}</td><td className="num">{b.percentUsed.toFixed(1)}%</td></tr>
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
      <p className="muted"><Link href={explore('provider,model')}>Explore this period by provider and model →</Link></p>
    </>
  );
}
