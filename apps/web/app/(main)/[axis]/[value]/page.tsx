// One customer, feature, user, model, agent, session or work item: cost and calls, its trend (a
// session: its calls in order), its breakdowns, the budgets that apply to it, its latest calls.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ApiErrors } from '@/components/ApiErrors';
import { BudgetsInScope } from '@/components/BudgetsInScope';
import { Chart } from '@/components/Chart';
import { EmbedShareIfAllowed } from '@/components/EmbedShareIfAllowed';
import { EventTable } from '@/components/EventTable';
import { SegmentTable } from '@/components/SegmentTable';
import { SeriesTable } from '@/components/SeriesTable';
import { SessionCalls } from '@/components/SessionCalls';
import { RangePicker } from '@/components/RangePicker';
import { VsPrevious } from '@/components/VsPrevious';
import { gql } from '@/lib/api';
import { AXES, type Axis, axisHref, costMeasure } from '@/lib/axes';
import { seriesChart, valueOf } from '@/lib/breakdown';
import { formatMeasure, formatMoney } from '@/lib/format';
import { AxisValueDocument, type Filter, RangeTotalsDocument, type TimeRange } from '@/lib/graphql/operations';
import { type SearchParams, parseCompare, parseRange, previousRange, rangeName } from '@/lib/query-state';

/** Breakdowns one AxisValue request carries (its s0..s3): an axis has at most this many. */
const SEGMENTS = 4;

/**
 * The value's figures and each of the axis's breakdowns (which ones is the axis's, lib/axes.ts) in
 * one request: one turn of the API's per-workspace gate, its breakdowns answered together.
 */
async function axisData(axis: Axis, f: Filter[], r: TimeRange, value: string) {
  const cost = costMeasure(axis);
  const totals = [cost, 'calls', ...(axis.cost ? [] : ['avg_cost_per_call', 'error_rate'])];
  const workItem = axis.dimension === 'work_item';
  if (axis.breakdowns.length > SEGMENTS) throw new Error(`an axis has at most ${SEGMENTS} breakdowns`);
  const by = Array.from({ length: SEGMENTS }, (_, i) => axis.breakdowns[i]?.by);
  const res = await gql(AxisValueDocument, {
    f, r, totals, cost: [cost], workItem, v: workItem ? [value] : null, m: [cost, 'calls'],
    by0: by[0] ? [by[0]] : [], s0: Boolean(by[0]), by1: by[1] ? [by[1]] : [], s1: Boolean(by[1]),
    by2: by[2] ? [by[2]] : [], s2: Boolean(by[2]), by3: by[3] ? [by[3]] : [], s3: Boolean(by[3]),
  });
  if (!res.ok) return res;
  const { s0, s1, s2, s3, ...figures } = res.data;
  return { ok: true as const, data: { ...figures, segments: [s0, s1, s2, s3].slice(0, axis.breakdowns.length) } };
}

type Totals = { measures: Array<{ measure: string; value: string | null }> };

/** A figure; with the previous period's totals, its value then and the change. */
function Kpi({ label, testId, measure, totals, before }: { label: string; testId?: string; measure: string; totals: Totals; before?: Totals | null }) {
  const value = valueOf(totals, measure);
  return (
    <div className="panel kpi" data-testid={testId} data-value={value ?? ''}><div className="label">{label}</div><div className="value">{formatMeasure(measure, value)}</div>
      {before && <VsPrevious measure={measure} current={value} previous={valueOf(before, measure)} testId={testId && `${testId}-previous`}
        activity={{ current: valueOf(totals, 'calls'), previous: valueOf(before, 'calls') }} />}</div>
  );
}

export default async function AxisValue({ params, searchParams }: { params: Promise<{ axis: string; value: string }>; searchParams: Promise<SearchParams> }) {
  const { axis: seg, value: raw } = await params;
  const axis = AXES[seg];
  if (!axis) notFound();
  const value = decodeURIComponent(raw);
  const query = await searchParams;
  const range = parseRange(query);
  const comparing = parseCompare(query);
  const f = [{ member: axis.dimension, operator: 'equals' as const, values: [value] }];
  const cost = costMeasure(axis);
  const [res, prev] = await Promise.all([
    axisData(axis, f, range, value),
    comparing ? gql(RangeTotalsDocument, { m: [cost, 'calls', ...(axis.cost ? [] : ['avg_cost_per_call', 'error_rate'])], f, r: previousRange(range) }) : null,
  ]);
  const heading = <><h2>{axis.one} {value} <span className="muted" style={{ fontSize: 13, fontWeight: 400 }}>{rangeName(range)}</span></h2>
    <RangePicker path={axisHref(seg, value)} range={range} compare={comparing} /></>;
  if (!res.ok) return <>{heading}<ApiErrors errors={res.errors} /></>;
  if (prev && !prev.ok) return <>{heading}<ApiErrors errors={prev.errors} /></>;
  const before = prev?.data.totals;
  const { totals, trend, events, workItems, segments } = res.data;
  const item = workItems?.[0];
  return (
    <>
      {heading}
      {item && <p data-testid="work-item" className="muted">{item.title ?? 'Untitled'} · repository {item.repository ?? '—'}{item.url && <> · <a href={item.url}>open</a></>}</p>}
      <div className="kpis">
        <Kpi label="Cost" testId="axis-cost" measure={cost} totals={totals} before={before} />
        <Kpi label="Calls" testId="axis-calls" measure="calls" totals={totals} before={before} />
        {!axis.cost && <><Kpi label="Avg per call" measure="avg_cost_per_call" totals={totals} before={before} />
          <Kpi label="Error rate" measure="error_rate" totals={totals} before={before} /></>}
      </div>
      {axis.timeline && <SessionCalls filters={f} range={range} />}
      <div className="grid">
        {!axis.timeline && (
          <section className="panel"><h3>Daily cost</h3><Chart id="axis-trend" label={`Daily cost of ${value}`} spec={seriesChart(trend, cost, 'bar')}
            dataTable={<SeriesTable ts={trend} measure={cost} label="Daily cost" testId="axis-trend-table" />} />
            <EmbedShareIfAllowed spec={{ kind: 'timeseries', title: `Daily cost of ${axis.one.toLowerCase()} ${value}`, measures: [cost], by: [], filters: f, timeRange: range, granularity: 'day' }} /></section>
        )}
        {axis.breakdowns.map((b, i) => (
          <SegmentTable key={b.by} testId={`axis-${b.by}`} title={b.title} node={segments[i]!} cost={cost}
            href={b.link ? (v) => axisHref(b.link!, v) : undefined} />
        ))}
        <BudgetsInScope context={[{ dimension: axis.dimension, value }]} />
      </div>
      {!axis.timeline && (
        <section className="panel"><h3>Latest calls</h3><EventTable events={events.edges.map((e) => e.node)} />
          <p><Link href={`/events?f=${encodeURIComponent(`${axis.dimension}|equals|${encodeURIComponent(value)}`)}`}>All calls of this {axis.one.toLowerCase()} →</Link></p></section>
      )}
    </>
  );
}
