// The event log: single events, newest first, filtered on any dimension, keyset pages.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { EventFilters } from '@/components/EventFilters';
import { type EventOrder, EventTable } from '@/components/EventTable';
import { gql } from '@/lib/api';
import { periodLabel, valueOf } from '@/lib/breakdown';
import { EventLogDocument, type EventLogQuery, RangeTotalsDocument } from '@/lib/graphql/operations';
import { VsPrevious } from '@/components/VsPrevious';
import { formatCount, formatMoney } from '@/lib/format';
import { type SearchParams, apiFilters, parseCompare, parseFilters, parseRange, previousRange } from '@/lib/query-state';

const PAGE = 50;
/** The filter's count and total: the API's measures over the same filters and range (not a sum of the rows shown). */
const SUMMARY = ['calls', 'total_cost', 'unpriced_calls'];
const ORDERS: EventOrder[] = ['newest', 'oldest', 'costliest', 'cheapest'];

export default async function Events({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const filters = parseFilters(params);
  const range = parseRange(params, 'last 7 days');
  const after = typeof params.after === 'string' ? params.after : null;
  const order = ORDERS.find((o) => o === params.order) ?? 'newest';
  const sortHref = (o: EventOrder) => {
    const q = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (k === 'after' || k === 'order' ? [] : (Array.isArray(v) ? v : [v ?? '']).map((x) => [k, x]))));
    if (o !== 'newest') q.set('order', o);
    return `/events?${q}`;
  };
  const comparing = parseCompare(params);
  const [res, prev] = await Promise.all([
    gql(EventLogDocument, { f: apiFilters(filters), r: range, first: PAGE, after, order, summary: SUMMARY }),
    comparing ? gql(RangeTotalsDocument, { m: SUMMARY, f: apiFilters(filters), r: previousRange(range) }) : null,
  ]);
  const next = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (k === 'after' ? [] : (Array.isArray(v) ? v : [v ?? '']).map((x) => [k, x]))));
  if (res.ok && res.data.events.pageInfo.endCursor) next.set('after', res.data.events.pageInfo.endCursor);
  return (
    <>
      <h2>Event log</h2>
      <EventFilters filters={filters} range={range} compare={comparing} dimensions={res.ok ? res.data.meta.dimensions.filter((d) => d.type !== 'time') : []} />
      {prev && !prev.ok && <ApiErrors errors={prev.errors} />}
      {!res.ok ? <ApiErrors errors={res.errors} /> : (
        <section className="panel" style={{ marginTop: 16 }}>
          <Summary summary={res.data.summary} before={prev?.ok ? prev.data.totals : undefined} />
          <EventTable events={res.data.events.edges.map((e) => e.node)} order={order} sortHref={sortHref} />
          <p className="chips" style={{ marginTop: 12 }}>
            {after && <Link href={sortHref(order)}>← First page</Link>}
            {res.data.events.pageInfo.hasNextPage && <Link href={`/events?${next}`}>Next {PAGE} →</Link>}
          </p>
        </section>
      )}
    </>
  );
}

function Summary({ summary, before }: { summary: EventLogQuery['summary']; before?: EventLogQuery['summary'] }) {
  const [calls, cost, unpriced] = SUMMARY.map((m) => valueOf(summary, m));
  return (
    <>
      <p data-testid="events-summary" data-calls={calls ?? ''} data-cost={cost ?? ''}>
        <strong>{formatCount(calls)} events</strong> · <strong>{formatMoney(cost)}</strong> total
        {Number(unpriced ?? 0) > 0 && <> ({formatCount(unpriced)} unpriced, not in the total)</>}
        {summary.period && <span className="muted"> · {periodLabel(summary.period)}</span>}
      </p>
      {before && (
        <div className="kpis" data-testid="events-previous">
          <div className="panel kpi"><div className="label">Events, previous period</div><div className="value">{formatCount(valueOf(before, 'calls'))}</div>
            <VsPrevious measure="calls" current={calls} previous={valueOf(before, 'calls')} testId="events-calls-previous" /></div>
          <div className="panel kpi"><div className="label">Cost, previous period</div><div className="value">{formatMoney(valueOf(before, 'total_cost'))}</div>
            <VsPrevious measure="total_cost" current={cost} previous={valueOf(before, 'total_cost')} activity={{ current: calls, previous: valueOf(before, 'calls') }} testId="events-cost-previous" /></div>
        </div>
      )}
    </>
  );
}
