import Link from 'next/link';
import type { UsageEvent } from '@/lib/events';
import { formatCount, formatMs, formatTime, formatUnitMoney } from '@/lib/format';

/** What was called: provider / model, or the event's kind for calls without them (retrievals, tools). */
export function calledText(e: Pick<UsageEvent, 'provider' | 'model' | 'kind'>) {
  return [e.provider, e.model].filter(Boolean).join(' / ') || e.kind;
}

export type EventOrder = 'newest' | 'oldest' | 'costliest' | 'cheapest';

/** A sortable column's header: a link to the other direction (the order lives in the URL; the API sorts). */
function SortHeader({ label, order, desc, asc, href, num }: { label: string; order?: EventOrder; desc: EventOrder; asc: EventOrder; href?: (o: EventOrder) => string; num?: boolean }) {
  const sorted = order === desc ? 'descending' : order === asc ? 'ascending' : 'none';
  return (
    <th scope="col" className={num ? 'num' : undefined} aria-sort={href ? sorted : undefined}>
      {href ? <Link href={href(order === desc ? asc : desc)} title={`Sort by ${label.toLowerCase()}`}>{label}<span aria-hidden="true">{sorted === 'descending' ? ' ▼' : sorted === 'ascending' ? ' ▲' : ''}</span></Link> : label}
    </th>
  );
}

/** Events as rows; each links to its detail view. With `sortHref`, time and cost headers sort (through the API). */
export function EventTable({ events, order, sortHref }: { events: UsageEvent[]; order?: EventOrder; sortHref?: (o: EventOrder) => string }) {
  if (!events.length) return <p className="empty">No events match.</p>;
  return (
    <div className="scroll">
      <table data-testid="events">
        <thead><tr>
          <SortHeader label="Time (UTC)" order={order} desc="newest" asc="oldest" href={sortHref} /><th scope="col">Provider / model</th><th scope="col">Status</th><th className="num" scope="col">Input</th>
          <th className="num" scope="col">Output</th><th className="num" scope="col">Latency</th><SortHeader label="Cost" order={order} desc="costliest" asc="cheapest" href={sortHref} num /><th scope="col">Agent</th><th scope="col">User</th><th scope="col">Customer</th>
          <th scope="col">Feature</th><th scope="col">Plan / step</th>
        </tr></thead>
        <tbody>{events.map((e) => (
          <tr key={e.id} data-event-id={e.id}>
            <td><Link href={`/events/${e.id}`}>{formatTime(e.occurredAt)}</Link></td>
            <td data-field="called">{calledText(e)}</td>
            <td><span className={`badge ${e.status === 'ok' ? 'ok' : 'error'}`}>{e.status}</span></td>
            <td className="num">{formatCount(Number(e.tokens.input) + Number(e.tokens.cacheRead) + Number(e.tokens.cacheWrite5m) + Number(e.tokens.cacheWrite1h))}</td>
            <td className="num">{formatCount(Number(e.tokens.output) + Number(e.tokens.reasoning))}</td>
            <td className="num" data-field="latency" data-value={e.latencyMs ?? ''}>{formatMs(e.latencyMs)}</td>
            <td className="num" data-field="cost" data-value={e.totalCost ?? ''}>{e.unpriced ? <span className="badge warning">unpriced</span> : formatUnitMoney(e.totalCost)}</td>
            <td data-field="agent">{e.agent ?? '—'}</td><td>{e.userId ?? '—'}</td><td>{e.customerId ?? '—'}</td><td>{e.feature ?? '—'}</td><td>{e.planId ?? '—'}{e.step ? ` / ${e.step}` : ''}</td>
          </tr>
        ))}</tbody>
      </table>
    </div>
  );
}
