// The morning report's parts: figures, small charts (inline SVG and bars, each with its numbers
// beside it) and links into the explorer for the 7 days reported.
import Link from 'next/link';
import { causeLabel } from '@/lib/anomalies';
import { formatChange, formatMoney, formatPercent } from '@/lib/format';
import type { ReportQuery } from '@/lib/graphql/operations';
import { exploreQuery } from '@/lib/query-state';

/** A report's figures as the Report operation (graphql/operations/reports.graphql) selects them. */
export type Figures = NonNullable<ReportQuery['report']>['figures'];
type Range = { from: string; to: string };

/** The explorer over the reported 7 days: cost and calls by `by`, filtered to `member = value`. */
export function explorerHref(range: Range, by: string[], filter?: [string, string]) {
  return `/explore?${exploreQuery({
    measures: ['total_cost', 'calls'], by, range, granularity: 'day', limit: 10, sort: null, compare: false,
    filters: filter ? [{ member: filter[0], operator: 'equals', values: [filter[1]] }] : [],
  })}`;
}

export function Kpis({ f }: { f: Figures }) {
  const kpi = (id: string, label: string, value: string, sub: string) => (
    <div className="panel kpi"><div className="label">{label}</div><div className="value" data-testid={`report-${id}`} data-value={value}>{formatMoney(value)}</div><div className="sub">{sub}</div></div>
  );
  const t = f.trend;
  return (
    <div className="kpis">
      {kpi('yesterday', 'Yesterday', f.yesterday.cost, `${Number(f.yesterday.calls).toLocaleString('en-US')} calls · ${formatChange(Number(f.yesterday.cost), Number(f.yesterday.previousCost))} vs the day before`)}
      {kpi('last7', 'Last 7 days', f.last7Days.cost, `${Number(f.last7Days.calls).toLocaleString('en-US')} calls · ${formatChange(Number(f.last7Days.cost), Number(f.last7Days.previousCost))} vs the 7 days before`)}
      {kpi('per-session', 'Per session', t.averageCost, `${t.sessions} sessions · median ${formatMoney(t.medianCost)} · ${t.direction}`)}
    </div>
  );
}

/** The sessions' costs, oldest first, as a line; the numbers are in the table beside it. */
export function SessionTrend({ costs }: { costs: Figures['trend']['costs'] }) {
  if (costs.length < 2) return null;
  const max = Math.max(...costs.map((c) => Number(c.cost))) || 1;
  const points = costs.map((c, i) => `${(i / (costs.length - 1)) * 300},${60 - (Number(c.cost) / max) * 56}`).join(' ');
  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox="0 0 300 62" width="300" height="62" role="img" aria-label={`Cost of the last ${costs.length} sessions, oldest first, from ${formatMoney(costs[0]!.cost)} to ${formatMoney(costs.at(-1)!.cost)}`} data-chart="session-trend">
        <polyline points={points} fill="none" stroke="var(--accent)" strokeWidth="2" />
      </svg>
      <details><summary>Session costs</summary><table><tbody>{costs.map((c) => <tr key={c.sessionId}><td>{c.sessionId}</td><td className="num">{formatMoney(c.cost)}</td></tr>)}</tbody></table></details>
    </figure>
  );
}

const Bar = ({ share }: { share: number | null | undefined }) => <div className="bar" aria-hidden="true"><span style={{ width: `${Math.round((share ?? 0) * 100)}%` }} /></div>;

export function Providers({ f, range }: { f: Figures; range: Range }) {
  return (
    <table data-testid="report-providers"><thead><tr><th scope="col">Provider / model</th><th className="num" scope="col">Cost</th><th className="num" scope="col">Share</th><th className="num" scope="col">Yesterday</th></tr></thead>
      <tbody>{f.providers.flatMap((p) => [
        <tr key={p.provider} data-provider={p.provider}><td><Link href={explorerHref(range, ['model'], ['provider', p.provider])}><strong>{p.provider}</strong></Link></td><td className="num" data-value={p.cost}>{formatMoney(p.cost)}</td><td className="num">{formatPercent(p.share)}<Bar share={p.share} /></td><td className="num">{formatMoney(p.yesterdayCost)}</td></tr>,
        ...p.models.map((m) => <tr key={`${p.provider}/${m.model}`}><td style={{ paddingLeft: 20 }}>{m.model}</td><td className="num">{formatMoney(m.cost)}</td><td className="num">{formatPercent(m.share)}<Bar share={m.share} /></td><td /></tr>),
      ])}</tbody></table>
  );
}

export function Shares({ title, rows, member, range, testId }: { title: string; rows: Figures['topPlans']; member: string; range: Range; testId: string }) {
  return (
    <section className="panel">
      <h3>{title}</h3>
      {rows.length === 0 ? <p className="empty">None.</p> : (
        <table data-testid={testId}><tbody>{rows.map((r) => (
          <tr key={r.id}><td><Link href={explorerHref(range, ['model'], [member, r.id])}>{r.id}</Link></td><td className="num" data-value={r.cost}>{formatMoney(r.cost)}</td><td className="num">{formatPercent(r.share)}<Bar share={r.share} /></td></tr>
        ))}</tbody></table>
      )}
    </section>
  );
}

export function Anomalies({ rows }: { rows: Figures['anomalies'] }) {
  if (rows.length === 0) return <p className="empty">None.</p>;
  return (
    <ul data-testid="report-anomalies">{rows.map((a) => (
      <li key={a.id}>
        <Link href={`/anomalies?${new URLSearchParams({ kind: a.kind, subject: a.subject, status: 'all' })}`}>{a.kind} {a.subject}</Link>: {formatMoney(a.cost)},{' '}
        {Number(a.ratio).toFixed(1)}× the {formatMoney(a.peerMedian)} median of its peers ({a.peerValue.replaceAll(' x ', ' × ')})
        {a.causes.length > 0 ? `; from ${a.causes.map((c) => `${causeLabel(c.cause).toLowerCase()} ${formatMoney(c.excess)}`).join(', ')}` : a.likelyCause ? `; likely ${causeLabel(a.likelyCause).toLowerCase()}` : ''}
      </li>
    ))}</ul>
  );
}

export function Budgets({ rows }: { rows: Figures['budgetsAtRisk'] }) {
  if (rows.length === 0) return <p className="empty">None.</p>;
  return (
    <ul data-testid="report-budgets">{rows.map((b) => (
      <li key={b.id}><Link href={`/budgets/${b.id}`}>{b.name}</Link>: {formatMoney(b.spend)} of {formatMoney(b.amount)} ({b.percentUsed.toFixed(1)}%)
        {b.blocking ? ', blocking work' : b.projectedCrossingAt ? `, projected to cross on ${b.projectedCrossingAt.slice(0, 10)}` : ''}</li>
    ))}</ul>
  );
}

type Economics = Pick<Figures, 'reconciliation' | 'margin'>;
const shareOf = (v: string | null | undefined) => (v === null || v === undefined ? '—' : `${(Number(v) * 100).toFixed(1)}%`);

/** Billed vs tracked (yesterday, month to date) and the month's margin, with links to their pages. */
export function EconomicsLines({ f }: { f: Economics }) {
  const lines = [['Yesterday', f.reconciliation?.yesterday, 7], ['Month to date', f.reconciliation?.monthToDate, 30]] as const;
  const m = f.margin;
  return (
    <div className="grid">
      <section className="panel" data-testid="report-reconciliation">
        <h3>Bill reconciliation <Link className="muted" href="/reconciliation?days=30">open</Link></h3>
        {lines.every(([, x]) => !x) ? <p className="empty">No bill covers these days.</p> : (
          <table><thead><tr><th scope="col">UTC days</th><th className="num" scope="col">Billed</th><th className="num" scope="col">Tracked</th><th className="num" scope="col">Variance</th><th className="num" scope="col">Unattributed</th></tr></thead>
            <tbody>{lines.flatMap(([label, x, days]) => (x ? [
              <tr key={label}><td><Link href={`/reconciliation?days=${days}`}>{label}</Link></td><td className="num" data-value={x.billed}>{formatMoney(x.billed)}</td><td className="num" data-value={x.tracked}>{formatMoney(x.tracked)}</td>
                <td className="num" data-value={x.variance}>{formatMoney(x.variance)} ({shareOf(x.varianceShare)})</td><td className="num" data-value={x.unattributed}>{formatMoney(x.unattributed)}</td></tr>,
            ] : []))}</tbody></table>
        )}
      </section>
      <section className="panel" data-testid="report-margin">
        <h3>Margin, month to date <Link className="muted" href="/profitability?by=customer_id">open</Link></h3>
        {!m ? <p className="empty">No revenue or cost this month.</p> : (
          <table><thead><tr><th scope="col">Customers</th><th className="num" scope="col">Revenue</th><th className="num" scope="col">True cost</th><th className="num" scope="col">Margin</th></tr></thead>
            <tbody>
              <tr><td><strong>All</strong></td><td className="num" data-value={m.revenue}>{formatMoney(m.revenue)}</td><td className="num" data-value={m.trueCost}>{formatMoney(m.trueCost)}</td><td className="num" data-value={m.margin}>{formatMoney(m.margin)}</td></tr>
              {m.leastProfitable.map((c) => <tr key={c.customerId}><td style={{ paddingLeft: 20 }}>{c.customerId}</td><td className="num">{formatMoney(c.revenue)}</td><td className="num">{formatMoney(c.trueCost)}</td><td className="num" data-value={c.margin}>{formatMoney(c.margin)}</td></tr>)}
            </tbody></table>
        )}
      </section>
    </div>
  );
}
