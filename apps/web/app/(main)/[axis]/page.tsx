// Customers, features, users, models, agents, sessions or work items: cost, calls and share of each over the period.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ApiErrors } from '@/components/ApiErrors';
import { gql } from '@/lib/api';
import { AXES, axisHref, costMeasure } from '@/lib/axes';
import { valueOf } from '@/lib/breakdown';
import { AxisListDocument } from '@/lib/graphql/operations';
import { formatMeasure, formatMoney, formatPercent } from '@/lib/format';
import { RANGES } from '@/lib/query-state';

const DEFAULT_RANGE = 'last 30 days';

export default async function AxisList({ params, searchParams }: { params: Promise<{ axis: string }>; searchParams: Promise<{ range?: string }> }) {
  const seg = (await params).axis;
  const axis = AXES[seg];
  if (!axis) notFound();
  const range = (await searchParams).range ?? DEFAULT_RANGE;
  const cost = costMeasure(axis);
  // Averages and error rates are per call: a work item's shares of calls have neither.
  const perCall = !axis.cost;
  const measures = [cost, 'calls', ...(perCall ? ['avg_cost_per_call', 'error_rate'] : [])];
  const res = await gql(AxisListDocument, { m: measures, by: [axis.dimension], r: { relative: range } });
  if (!res.ok) return <><h2>{axis.title}</h2><ApiErrors errors={res.errors} /></>;
  return (
    <>
      <h2>{axis.title} <span className="muted" style={{ fontSize: 13, fontWeight: 400 }}>{range}</span></h2>
      <nav className="chips" aria-label="Time range" style={{ marginBottom: 12 }}>{RANGES.slice(2, 5).map((r) => <Link key={r} className="chip" style={{ paddingRight: 10 }} href={`/${seg}?range=${encodeURIComponent(r)}`} aria-current={r === range ? 'true' : undefined}>{r}</Link>)}</nav>
      <section className="panel scroll">
        {res.data.breakdown.children.length === 0 ? <p className="empty">No events in this range.</p> : (
          <table data-testid="axis-list"><thead><tr><th scope="col">{axis.one}</th><th className="num" scope="col">Cost</th><th className="num" scope="col">Share</th><th className="num" scope="col">Calls</th>
            {perCall && <><th className="num" scope="col">Avg / call</th><th className="num" scope="col">Error rate</th></>}</tr></thead>
            <tbody>{res.data.breakdown.children.map((c) => (
              <tr key={c.label} data-label={c.label}><td>{c.value !== null && !c.other ? <Link href={`${axisHref(seg, c.value)}${range === DEFAULT_RANGE ? '' : `?range=${encodeURIComponent(range)}`}`}>{c.label}</Link> : c.label}</td>
                <td className="num" data-value={valueOf(c, cost) ?? ''}>{formatMoney(valueOf(c, cost))}</td><td className="num">{formatPercent(c.measures[0]?.share)}</td>
                <td className="num" data-value={valueOf(c, 'calls') ?? ''}>{formatMeasure('calls', valueOf(c, 'calls'))}</td>
                {perCall && <><td className="num">{formatMoney(valueOf(c, 'avg_cost_per_call'))}</td><td className="num">{formatMeasure('error_rate', valueOf(c, 'error_rate'))}</td></>}</tr>
            ))}</tbody></table>
        )}
      </section>
    </>
  );
}
