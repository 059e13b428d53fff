// One event: tokens by type with the cost of each, the price applied, its context.
import Link from 'next/link';
import { Fragment } from 'react';
import { ApiErrors } from '@/components/ApiErrors';
import { gql } from '@/lib/api';
import { CONTEXT_FIELDS, TOKEN_TYPES, contextValue } from '@/lib/events';
import { EventDetailDocument } from '@/lib/graphql/operations';
import { calledText } from '@/components/EventTable';
import { formatCount, formatMs, formatTime, formatUnitMoney } from '@/lib/format';

export default async function EventDetail({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const res = await gql(EventDetailDocument, { f: [{ member: 'event_id', operator: 'equals', values: [id] }] });
  if (!res.ok) return <><h2>Event</h2><ApiErrors errors={res.errors} /></>;
  const e = res.data.events.edges[0]?.node;
  if (!e) return <><h2>Event</h2><p className="empty">No event {id} in this workspace.</p></>;
  return (
    <>
      <h2>Event <code>{e.id}</code></h2>
      <div className="grid">
        <section className="panel">
          <h3>Call</h3>
          <dl className="kv">
            <dt>Time (UTC)</dt><dd>{formatTime(e.occurredAt)}</dd><dt>Kind</dt><dd>{e.kind}</dd>
            <dt>Provider / model</dt><dd>{calledText(e)}</dd><dt>Status</dt><dd>{e.status}</dd>
            <dt>Latency</dt><dd>{formatMs(e.latencyMs)}</dd>
            <dt>Cost</dt><dd data-testid="event-cost" data-value={e.totalCost ?? ''}>{e.unpriced ? 'unpriced (no price known for this call)' : formatUnitMoney(e.totalCost)} {e.currency}</dd>
            <dt>Price applied</dt><dd>{e.priceSource ?? '—'}{e.priceVersion ? ` (${e.priceVersion})` : ''}</dd>
            <dt>Service tier</dt><dd>{e.serviceTier ?? 'not stated (standard)'}</dd>
            <dt>Effort</dt><dd>{e.effort ?? 'not stated'}</dd>
          </dl>
        </section>
        <section className="panel">
          <h3>Tokens by type</h3>
          <table data-testid="event-tokens">
            <thead><tr><th scope="col">Type</th><th className="num" scope="col">Tokens</th><th className="num" scope="col">Cost</th></tr></thead>
            <tbody>{TOKEN_TYPES.map(([k, label]) => (
              <tr key={k}><td>{label}</td><td className="num">{formatCount(e.tokens[k])}</td><td className="num">{formatUnitMoney(e.costs[k])}</td></tr>
            ))}</tbody>
          </table>
        </section>
        <section className="panel">
          <h3>Context</h3>
          <dl className="kv">{CONTEXT_FIELDS.map(([k, label]) => <Fragment key={k}><dt>{label}</dt><dd>{contextValue(e, k)}</dd></Fragment>)}</dl>
        </section>
      </div>
      <p><Link href="/events">← Event log</Link></p>
    </>
  );
}
