// The event log: single events, newest first, filtered on any dimension, keyset pages.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { EventFilters } from '@/components/EventFilters';
import { EventTable } from '@/components/EventTable';
import { gql } from '@/lib/api';
import { EVENT_FIELDS, type UsageEvent } from '@/lib/events';
import { type SearchParams, apiFilters, parseFilters, parseRange } from '@/lib/query-state';

const PAGE = 50;

export default async function Events({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const filters = parseFilters(params);
  const range = parseRange(params, 'last 7 days');
  const after = typeof params.after === 'string' ? params.after : null;
  const res = await gql<{ meta: { dimensions: Array<{ name: string; title: string; type: string }> }; events: { edges: Array<{ node: UsageEvent }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
    `query($f: [Filter!], $r: TimeRange, $first: Int, $after: String) {
      meta { dimensions { name title: shortTitle type } }
      events(filters: $f, timeRange: $r, first: $first, after: $after) { edges { node { ${EVENT_FIELDS} } } pageInfo { hasNextPage endCursor } }
    }`,
    { f: apiFilters(filters), r: range, first: PAGE, after },
  );
  const next = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (k === 'after' ? [] : (Array.isArray(v) ? v : [v ?? '']).map((x) => [k, x]))));
  if (res.ok && res.data.events.pageInfo.endCursor) next.set('after', res.data.events.pageInfo.endCursor);
  return (
    <>
      <h2>Event log</h2>
      <EventFilters filters={filters} range={range} dimensions={res.ok ? res.data.meta.dimensions.filter((d) => d.type !== 'time') : []} />
      {!res.ok ? <ApiErrors errors={res.errors} /> : (
        <section className="panel" style={{ marginTop: 16 }}>
          <EventTable events={res.data.events.edges.map((e) => e.node)} />
          <p className="chips" style={{ marginTop: 12 }}>
            {after && <Link href="/events">← First page</Link>}
            {res.data.events.pageInfo.hasNextPage && <Link href={`/events?${next}`}>Next {PAGE} →</Link>}
          </p>
        </section>
      )}
    </>
  );
}
