// Reconciliation with the provider's bill (issue 17): for the period, what providers billed beside
// what events tracked, per day × provider × model, with what no event explains on its own line
// ("unattributed"), so the rows add up to the invoice. Figures are the API's
// (Query.reconciliation); every one carries its exact decimal string in data-value.
import { Suspense } from 'react';
import { ApiErrors } from '@/components/ApiErrors';
import { BillUpload } from '@/components/BillUpload';
import { Chart } from '@/components/Chart';
import { RangePicker } from '@/components/RangePicker';
import { VsPrevious } from '@/components/VsPrevious';
import { gql } from '@/lib/api';
import { periodLabel, utcDays } from '@/lib/breakdown';
import type { ChartSpec } from '@/lib/echarts';
import { formatMoney } from '@/lib/format';
import { ReconciliationDocument, type ReconciliationQuery } from '@/lib/graphql/operations';
import { allows, getMe } from '@/lib/me';
import { periodOf } from '@/lib/period-of';
import { type SearchParams, type TimeRange, parseCompare, parseRange, previousRange } from '@/lib/query-state';

const PERIOD_DAYS = [7, 30, 90];
type Row = ReconciliationQuery['reconciliation']['rows'][number];
type Total = ReconciliationQuery['reconciliation']['totals'][number];



/** A share as a percent; one that rounds to zero reads 0.0%, not -0.0%. */
const share = (v: string | null | undefined) => (v === null || v === undefined ? '—' : `${(Number(v) * 100).toFixed(1).replace(/^-(0\.0)$/, '$1')}%`);

function Figure({ label, value, raw, testId, before }: { label: string; value: string; raw: string | null | undefined; testId: string; before?: React.ReactNode }) {
  return <div className="panel kpi" data-testid={testId} data-value={raw ?? ''}><div className="label">{label}</div><div className="value">{value}</div>{before}</div>;
}

/** A currency's totals; with the previous period's (compare=previous), each beside its value then. */
function Totals({ total, before, comparing }: { total: Total; before?: Total; comparing: boolean }) {
  const vs = (f: 'billed' | 'tracked' | 'variance') => comparing && <VsPrevious measure="total_cost" current={total[f]} previous={before?.[f] ?? null} testId={`recon-${f}-previous`} />;
  return (
    <div className="kpis" data-testid="recon-totals" data-currency={total.currency}>
      <Figure testId="recon-billed" label={`Billed (${total.currency})`} value={formatMoney(total.billed)} raw={total.billed} before={vs('billed')} />
      <Figure testId="recon-tracked" label="Tracked by events" value={formatMoney(total.tracked)} raw={total.tracked} before={vs('tracked')} />
      <Figure testId="recon-variance" label="Variance (billed − tracked)" value={formatMoney(total.variance)} raw={total.variance} before={vs('variance')} />
      <Figure testId="recon-share" label="Variance share of the bill" value={share(total.varianceShare)} raw={total.varianceShare} />
    </div>
  );
}

/** Billed and tracked per day (the chart's figures are for drawing; the table has the exact ones). */
function dailyChart(rows: Row[]): ChartSpec {
  const byDay = new Map<string, { billed: number; tracked: number }>();
  for (const r of rows) {
    const d = byDay.get(r.day) ?? { billed: 0, tracked: 0 };
    byDay.set(r.day, { billed: d.billed + Number(r.billed), tracked: d.tracked + Number(r.tracked) });
  }
  const categories = [...byDay.keys()].sort();
  return {
    type: 'bar', categories,
    series: [{ name: 'Billed', values: categories.map((d) => byDay.get(d)!.billed) }, { name: 'Tracked', values: categories.map((d) => byDay.get(d)!.tracked) }],
  };
}

function Rows({ rows }: { rows: Row[] }) {
  if (!rows.length) return <p className="empty">No bill covers this period yet. Import one below, or let the worker pull OpenAI's and Anthropic's cost reports.</p>;
  return (
    <table data-testid="recon-rows">
      <thead><tr><th>Day</th><th>Provider</th><th>Model</th><th className="num">Billed</th><th className="num">Tracked</th><th className="num">Variance</th><th className="num">Share</th></tr></thead>
      <tbody>{rows.map((r) => (
        <tr key={`${r.day}|${r.provider}|${r.currency}|${r.model ?? ''}`} data-day={r.day} data-provider={r.provider} data-model={r.model ?? ''} data-unattributed={String(r.unattributed)}>
          <td>{r.day}</td><td>{r.provider}</td>
          <td>{r.unattributed ? <em title="Billed, and no event explains it (no model, or a model no event of that day used)">Unattributed spend</em> : r.model}</td>
          <td className="num" data-value={r.billed}>{formatMoney(r.billed)}</td>
          <td className="num" data-value={r.tracked}>{formatMoney(r.tracked)}</td>
          <td className="num" data-value={r.variance}>{formatMoney(r.variance)}</td>
          <td className="num" data-value={r.varianceShare ?? ''}>{share(r.varianceShare)}</td>
        </tr>
      ))}</tbody>
    </table>
  );
}

/** The bills of a range's UTC days. */
async function reconcile(r: Parameters<typeof periodOf>[0]) {
  const range = await periodOf(r);
  return { range, res: range.ok ? await gql(ReconciliationDocument, utcDays(range.data)) : range };
}

export default async function Reconciliation({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const requested = Number(params.days); // the former `?days=N` links still work
  const picked = PERIOD_DAYS.includes(requested) ? { relative: `last ${requested} days` } : parseRange(params);
  const comparing = parseCompare(params);
  const me = await getMe();
  return (
    <>
      <h2>Reconciliation</h2>
      <RangePicker path="/reconciliation" range={picked} compare={comparing} />
      {/* The figures join every event of the period with the bill: they stream in when answered. */}
      <Suspense key={JSON.stringify([picked, comparing])} fallback={<div className="skeleton" style={{ height: 420, marginBottom: 16 }} role="status" aria-busy="true" aria-label="Loading the reconciliation" />}>
        <Figures picked={picked} comparing={comparing} />
      </Suspense>
      {allows(me, 'bills:import') && (
        <section className="panel" data-testid="bill-upload">
          <h3>Import a bill</h3>
          <p className="muted">It replaces that format&apos;s lines for the days it covers, so importing a period again never counts twice.</p>
          <BillUpload />
        </section>
      )}
    </>
  );
}

async function Figures({ picked, comparing }: { picked: TimeRange; comparing: boolean }) {
  const [{ range, res }, prev] = await Promise.all([reconcile(picked), comparing ? reconcile(previousRange(picked)) : null]);
  if (!res.ok) return <ApiErrors errors={res.errors} />;
  const before = prev?.res.ok ? prev.res.data.reconciliation.totals : [];
  return (
    <>
      {prev && !prev.res.ok && <ApiErrors errors={prev.res.errors} />}
      <p className="muted" data-testid="recon-period" data-from={res.data.reconciliation.from} data-to={res.data.reconciliation.to}>
        {range.ok && periodLabel(range.data)} · UTC days · only days and providers a bill covers count
        {prev?.range.ok && <> · compared with {periodLabel(prev.range.data)}</>}
      </p>
      {res.data.reconciliation.totals.map((t) => <Totals key={t.currency} total={t} comparing={comparing} before={before.find((b) => b.currency === t.currency)} />)}
      <section className="panel" style={{ marginBottom: 16 }}>
        <h3>Billed and tracked per day</h3>
        <Chart id="recon-daily" label="Billed and tracked per day" spec={dailyChart(res.data.reconciliation.rows)} />
      </section>
      <section className="panel" style={{ marginBottom: 16 }}>
        <h3>Per day, provider and model</h3>
        <Rows rows={res.data.reconciliation.rows} />
      </section>
    </>
  );
}
