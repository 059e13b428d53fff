// Customers, features, users, models, agents, sessions or work items: cost, calls and share of each over the period.
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ApiErrors } from '@/components/ApiErrors';
import { RangePicker } from '@/components/RangePicker';
import { PreviousCells, PreviousHeaders } from '@/components/VsPrevious';
import { gql } from '@/lib/api';
import { AXES, axisHref, costMeasure } from '@/lib/axes';
import { valueOf } from '@/lib/breakdown';
import { AxisListDocument } from '@/lib/graphql/operations';
import { formatMeasure, formatMoney, formatPercent } from '@/lib/format';
import { COMPARE, type SearchParams, parseCompare, parseRange, previousRange, rangeName, rangeSearch } from '@/lib/query-state';

const DEFAULT_RANGE = 'last 30 days';

export default async function AxisList({ params, searchParams }: { params: Promise<{ axis: string }>; searchParams: Promise<SearchParams> }) {
  const seg = (await params).axis;
  const axis = AXES[seg];
  if (!axis) notFound();
  const query = await searchParams;
  const r = parseRange(query, DEFAULT_RANGE);
  const comparing = parseCompare(query);
  const range = rangeName(r);
  // A value's page keeps the range (and the comparison), unless it is the default.
  const keep = new URLSearchParams([...(range === DEFAULT_RANGE ? [] : new URLSearchParams(rangeSearch(r))), ...(comparing ? [['compare', COMPARE]] : [])]).toString();
  const cost = costMeasure(axis);
  // Averages and error rates are per call: a work item's shares of calls have neither.
  const perCall = !axis.cost;
  const measures = [cost, 'calls', ...(perCall ? ['avg_cost_per_call', 'error_rate'] : [])];
  const [res, before] = await Promise.all([
    gql(AxisListDocument, { m: measures, by: [axis.dimension], r }),
    comparing ? gql(AxisListDocument, { m: measures, by: [axis.dimension], r: previousRange(r) }) : null,
  ]);
  const picker = <RangePicker path={`/${seg}`} range={r} compare={comparing} />;
  if (!res.ok) return <><h2>{axis.title}</h2>{picker}<ApiErrors errors={res.errors} /></>;
  if (before && !before.ok) return <><h2>{axis.title}</h2>{picker}<ApiErrors errors={before.errors} /></>;
  // The previous period's row of the same value (an `Other` bucket has no counterpart).
  const prev = new Map((before?.data.breakdown.children ?? []).filter((c) => !c.other).map((c) => [c.value, c]));
  return (
    <>
      <h2>{axis.title} <span className="muted" style={{ fontSize: 13, fontWeight: 400 }}>{range}</span></h2>
      {picker}
      <section className="panel scroll">
        {res.data.breakdown.children.length === 0 ? <p className="empty">No events in this range.</p> : (
          <table data-testid="axis-list"><thead><tr><th scope="col">{axis.one}</th><th className="num" scope="col">Cost</th>{before && <PreviousHeaders title="Cost" />}<th className="num" scope="col">Share</th><th className="num" scope="col">Calls</th>
            {perCall && <><th className="num" scope="col">Avg / call</th><th className="num" scope="col">Error rate</th></>}</tr></thead>
            <tbody>{res.data.breakdown.children.map((c) => (
              <tr key={c.label} data-label={c.label}><td>{c.value !== null && !c.other ? <Link href={`${axisHref(seg, c.value)}${keep ? `?${keep}` : ''}`}>{c.label}</Link> : c.label}</td>
                <td className="num" data-value={valueOf(c, cost) ?? ''}>{formatMoney(valueOf(c, cost))}</td>
                {before && (c.other ? <><td className="num">—</td><td className="num">—</td></> : <PreviousCells measure={cost} current={valueOf(c, cost)} previous={valueOf(prev.get(c.value), cost)} />)}<td className="num">{formatPercent(c.measures[0]?.share)}</td>
                <td className="num" data-value={valueOf(c, 'calls') ?? ''}>{formatMeasure('calls', valueOf(c, 'calls'))}</td>
                {perCall && <><td className="num">{formatMoney(valueOf(c, 'avg_cost_per_call'))}</td><td className="num">{formatMeasure('error_rate', valueOf(c, 'error_rate'))}</td></>}</tr>
            ))}</tbody></table>
        )}
      </section>
    </>
  );
}
