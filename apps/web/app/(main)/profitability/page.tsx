// Profitability (issue 17): revenue beside true cost — direct (the events) plus shared cost
// pools allocated by their rules — and the margin, per customer or feature, with the
// unprofitable ones listed first with what drives their cost. Figures are the API's
// (Query.economics, the model's `economics` view); each carries its exact decimal string in
// data-value. Pools are allocated by month, so periods are whole months.
import Link from 'next/link';
import { Suspense } from 'react';
import { ApiErrors } from '@/components/ApiErrors';
import { PoolUpload } from '@/components/PoolUpload';
import { RangePicker } from '@/components/RangePicker';
import { VsPrevious } from '@/components/VsPrevious';
import { gql } from '@/lib/api';
import { periodLabel, utcDays } from '@/lib/breakdown';
import { formatMoney } from '@/lib/format';
import { EconomicsDocument, type EconomicsFieldsFragment } from '@/lib/graphql/operations';
import { allows, getMe } from '@/lib/me';
import { periodOf } from '@/lib/period-of';
import { COMPARE, MONTH_RANGES, type SearchParams, parseCompare, previousRange } from '@/lib/query-state';

type Row = EconomicsFieldsFragment;
const BY = [['customer_id', 'Customers'], ['feature', 'Features']] as const;



const FIGURES: Array<[keyof Row, string]> = [['revenue', 'Revenue'], ['directCost', 'Direct cost'], ['allocatedCost', 'Allocated'], ['trueCost', 'True cost'], ['margin', 'Margin']];

function Table({ rows, label, testId }: { rows: Row[]; label: string; testId: string }) {
  return (
    <table data-testid={testId}>
      <thead><tr><th>{label}</th>{FIGURES.map(([, title]) => <th key={title} className="num">{title}</th>)}<th className="num">Margin %</th></tr></thead>
      <tbody>{rows.map((r) => {
        // For reading only; the exact figures are in data-value.
        const share = Number(r.revenue) === 0 ? null : (Number(r.margin) / Number(r.revenue)) * 100;
        return (
          <tr key={r.key[0] ?? ''} data-key={r.key[0] ?? ''}>
            <td>{r.key[0] ?? <em>none</em>}</td>
            {FIGURES.map(([f]) => <td key={f} className="num" data-field={f} data-value={String(r[f])}>{formatMoney(String(r[f]))}</td>)}
            <td className="num">{share === null ? '—' : `${share.toFixed(1)}%`}</td>
          </tr>
        );
      })}</tbody>
    </table>
  );
}

/** A range's economics (its UTC days). */
async function economics(r: { relative: string; previous?: boolean }, by: string) {
  const range = await periodOf(r);
  return { range, res: range.ok ? await gql(EconomicsDocument, { ...utcDays(range.data), by: [by] }) : range };
}

export default async function Profitability({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const me = await getMe();
  // Whole calendar units only (`range=`; the former `period=` still reads).
  const asked = [params.range, params.period].find((p) => typeof p === 'string');
  const period = MONTH_RANGES.find((p) => p === asked) ?? 'this month';
  const comparing = parseCompare(params);
  const [by, label] = BY.find(([b]) => b === params.by) ?? BY[0];
  const href = (p: string, b: string) => `/profitability?range=${encodeURIComponent(p)}&by=${b}${comparing ? `&compare=${COMPARE}` : ''}`;
  return (
    <>
      <div className="toolbar" style={{ justifyContent: 'space-between' }}>
        <h2>Profitability</h2>
        <nav aria-label="Group by" className="chips">
          {BY.map(([b, l]) => <Link key={b} className="chip" style={{ paddingRight: 10, fontWeight: b === by ? 700 : 400 }} href={href(period, b)} aria-current={b === by ? 'page' : undefined}>{l}</Link>)}
        </nav>
      </div>
      <RangePicker path="/profitability" range={{ relative: period }} presets={MONTH_RANGES} custom={false} compare={comparing} extra={{ by }} />
      {/* The figures read every event of the period: they stream in when answered. */}
      <Suspense key={`${period}|${by}|${comparing}`} fallback={<div className="skeleton" style={{ height: 420, marginBottom: 16 }} role="status" aria-busy="true" aria-label="Loading the profitability" />}>
        <Figures period={period} by={by} label={label} comparing={comparing} />
      </Suspense>
      {allows(me, 'economics:manage') && (
        <section className="panel" data-testid="pool-upload" style={{ marginTop: 16 }}>
          <h3>Import cost pools from a FOCUS file</h3>
          <p className="muted">Shared infrastructure from an AWS, Azure, GCP or FinOps tool export: one pool per value of the column and month, the lines&apos; BilledCost summed. Importing the file again replaces those pools&apos; amounts, never adds to them.</p>
          <PoolUpload />
        </section>
      )}
    </>
  );
}

async function Figures({ period, by, label, comparing }: { period: string; by: string; label: string; comparing: boolean }) {
  const [{ range, res }, prev] = await Promise.all([economics({ relative: period }, by), comparing ? economics(previousRange({ relative: period }) as { relative: string; previous: boolean }, by) : null]);
  if (!res.ok) return <ApiErrors errors={res.errors} />;
  const span = range.ok ? utcDays(range.data) : undefined;
  const rows = res.data.economics.filter((r) => r.key[0] !== null);
  // A negative decimal string starts with '-'; the order is for reading (most negative first).
  const unprofitable = rows.filter((r) => r.margin.startsWith('-')).sort((a, b) => Number(a.margin) - Number(b.margin));
  const total = (f: keyof Row) => String(res.data.totals[0]?.[f] ?? '0');
  const prevTotals = prev?.res.ok ? prev.res.data.totals[0] : undefined;
  const before = prev?.res.ok ? (f: keyof Row) => String(prevTotals?.[f] ?? '0') : undefined;
  return (
    <>
      {prev && !prev.res.ok && <ApiErrors errors={prev.res.errors} />}
      <p className="muted" data-testid="profit-period" data-from={span?.from} data-to={span?.to}>
        {range.ok && periodLabel(range.data)} · true cost = direct cost of the events + shared cost pools allocated by their rules
        {prev?.range.ok && <> · compared with {periodLabel(prev.range.data)}</>}
      </p>
      <div className="kpis" data-testid="profit-totals">
        {FIGURES.map(([f, title]) => (
          <div key={f} className="panel kpi" data-testid={`profit-${f}`} data-value={total(f)}><div className="label">{title}</div><div className="value">{formatMoney(total(f))}</div>
            {before && <VsPrevious measure="total_cost" current={total(f)} previous={before(f)} testId={`profit-${f}-previous`} />}</div>
        ))}
      </div>
      <section className="panel" style={{ marginBottom: 16 }}>
        <h3>Unprofitable {label.toLowerCase()}</h3>
        {unprofitable.length ? <Table rows={unprofitable} label={label.slice(0, -1)} testId="profit-unprofitable" /> : <p className="empty" data-testid="profit-none-unprofitable">None: every one earns more than it costs.</p>}
      </section>
      <section className="panel">
        <h3>All {label.toLowerCase()} by true cost</h3>
        {rows.length ? <Table rows={rows} label={label.slice(0, -1)} testId="profit-rows" /> : <p className="empty">No revenue or cost in this period yet: send revenue with POST /v1/revenue.</p>}
      </section>
    </>
  );
}
