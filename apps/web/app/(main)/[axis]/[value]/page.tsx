// One customer or feature: cost and calls, its trend, its most-used models, its latest calls.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ApiErrors } from '@/components/ApiErrors';
import { Chart } from '@/components/Chart';
import { EmbedShareIfAllowed } from '@/components/EmbedShareIfAllowed';
import { EventTable } from '@/components/EventTable';
import { SegmentTable } from '@/components/SegmentTable';
import { gql } from '@/lib/api';
import { AXES } from '@/lib/axes';
import { type Node, SERIES, type Timeseries, nodeSelection, seriesChart, valueOf } from '@/lib/breakdown';
import { EVENT_FIELDS, type UsageEvent } from '@/lib/events';
import { formatMeasure, formatMoney } from '@/lib/format';

const RANGE = { relative: 'last 30 days' };

export default async function AxisValue({ params }: { params: Promise<{ axis: string; value: string }> }) {
  const { axis: seg, value: raw } = await params;
  const axis = AXES[seg];
  if (!axis) notFound();
  const value = decodeURIComponent(raw);
  const f = [{ member: axis.dimension, operator: 'equals', values: [value] }];
  const res = await gql<{ totals: Node; models: Node; trend: Timeseries; events: { edges: Array<{ node: UsageEvent }> } }>(`query($f: [Filter!], $r: TimeRange) {
    totals: breakdown(measures: ["total_cost", "calls", "avg_cost_per_call", "error_rate"], by: [], filters: $f, timeRange: $r) { ${nodeSelection(0)} }
    models: breakdown(measures: ["total_cost", "calls"], by: ["model"], filters: $f, timeRange: $r, limit: 8) { ${nodeSelection(1)} }
    trend: timeseries(measures: ["total_cost"], granularity: day, filters: $f, timeRange: $r) { ${SERIES} }
    events(filters: $f, first: 20) { edges { node { ${EVENT_FIELDS} } } }
  }`, { f, r: RANGE });
  if (!res.ok) return <><h2>{axis.one} {value}</h2><ApiErrors errors={res.errors} /></>;
  const { totals, models, trend, events } = res.data;
  return (
    <>
      <h2>{axis.one} {value} <span className="muted" style={{ fontSize: 13, fontWeight: 400 }}>last 30 days</span></h2>
      <div className="kpis">
        <div className="panel kpi" data-testid="axis-cost" data-value={valueOf(totals, 'total_cost') ?? ''}><div className="label">Cost</div><div className="value">{formatMoney(valueOf(totals, 'total_cost'))}</div></div>
        <div className="panel kpi"><div className="label">Calls</div><div className="value">{formatMeasure('calls', valueOf(totals, 'calls'))}</div></div>
        <div className="panel kpi"><div className="label">Avg per call</div><div className="value">{formatMoney(valueOf(totals, 'avg_cost_per_call'))}</div></div>
        <div className="panel kpi"><div className="label">Error rate</div><div className="value">{formatMeasure('error_rate', valueOf(totals, 'error_rate'))}</div></div>
      </div>
      <div className="grid">
        <section className="panel"><h3>Daily cost</h3><Chart id="axis-trend" label={`Daily cost of ${value}`} spec={seriesChart(trend, 'total_cost', 'bar')} />
          <EmbedShareIfAllowed spec={{ kind: 'timeseries', title: `Daily cost of ${axis.one.toLowerCase()} ${value}`, measures: ['total_cost'], by: [], filters: f, timeRange: RANGE, granularity: 'day' }} /></section>
        <SegmentTable testId="axis-models" title="Most-used models" node={models} />
      </div>
      <section className="panel"><h3>Latest calls</h3><EventTable events={events.edges.map((e) => e.node)} />
        <p><Link href={`/events?f=${encodeURIComponent(`${axis.dimension}|equals|${encodeURIComponent(value)}`)}`}>All calls of this {axis.one.toLowerCase()} →</Link></p></section>
    </>
  );
}
