// The event log: single events, newest first, filtered on any dimension, keyset pages.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { EventFilters } from '@/components/EventFilters';
import { type EventOrder, EventTable } from '@/components/EventTable';
import { gql } from '@/lib/api';
import { periodLabel, valueOf } from '@/lib/breakdown';
import { EventLogDocument, type EventLogQuery } from '@/lib/graphql/operations';
import { formatCount, formatMoney } from '@/lib/format';
import { type SearchParams, apiFilters, parseFilters, parseRange } from '@/lib/query-state';

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
  const res = await gql(EventLogDocument, { f: apiFilters(filters), r: range, first: PAGE, after, order, summary: SUMMARY });
  const next = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (k === 'after' ? [] : (Array.isArray(v) ? v : [v ?? '']).map((x) => [k, x]))));
  if (res.ok && res.data.events.pageInfo.endCursor) next.set('after', res.data.events.pageInfo.endCursor);
  return (
    <>
      <h2>Event log</h2>
      <EventFilters filters={filters} range={range} dimensions={res.ok ? res.data.meta.dimensions.filter((d) => d.type !== 'time') : []} />
      {!res.ok ? <ApiErrors errors={res.errors} /> : (
        <section className="panel" style={{ marginTop: 16 }}>
          <Summary summary={res.data.summary} />
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

function Summary({ summary }: { summary: EventLogQuery['summary'] }) {
  const [calls, cost, unpriced] = SUMMARY.map((m) => valueOf(summary, m));
  return (
    <p data-testid="events-summary" data-calls={calls ?? ''} data-cost={cost ?? ''}>
      <strong>{formatCount(calls)} events</strong> · <strong>{formatMoney(cost)}</strong> total
      {Number(unpriced ?? 0) > 0 && <> ({formatCount(unpriced)} unpriced, not in the total)</>}
      {summary.period && <span className="muted"> · {periodLabel(summary.period)}</span>}
    </p>
  );
}
