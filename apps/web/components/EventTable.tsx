import Link from 'next/link';
import type { UsageEvent } from '@/lib/events';
import { formatMeasure, formatMoney, formatTime } from '@/lib/format';

/** Events as rows; each links to its detail view. */
export function EventTable({ events }: { events: UsageEvent[] }) {
  if (!events.length) return <p className="empty">No events match.</p>;
  return (
    <div className="scroll">
      <table data-testid="events">
        <thead><tr>
          <th scope="col">Time (UTC)</th><th scope="col">Provider / model</th><th scope="col">Status</th><th className="num" scope="col">Input</th>
          <th className="num" scope="col">Output</th><th className="num" scope="col">Cost</th><th scope="col">User</th><th scope="col">Customer</th>
          <th scope="col">Feature</th><th scope="col">Plan / step</th>
        </tr></thead>
        <tbody>{events.map((e) => (
          <tr key={e.id} data-event-id={e.id}>
            <td><Link href={`/events/${e.id}`}>{formatTime(e.occurredAt)}</Link></td>
            <td>{e.provider} / {e.model}</td>
            <td><span className={`badge ${e.status === 'ok' ? 'ok' : 'error'}`}>{e.status}</span></td>
            <td className="num">{formatMeasure('input_tokens', Number(e.tokens.input) + Number(e.tokens.cacheRead) + Number(e.tokens.cacheWrite5m) + Number(e.tokens.cacheWrite1h))}</td>
            <td className="num">{formatMeasure('output_tokens', Number(e.tokens.output) + Number(e.tokens.reasoning))}</td>
            <td className="num" data-value={e.totalCost ?? ''}>{e.unpriced ? <span className="badge warning">unpriced</span> : formatMoney(e.totalCost)}</td>
            <td>{e.userId ?? '—'}</td><td>{e.customerId ?? '—'}</td><td>{e.feature ?? '—'}</td><td>{e.planId ?? '—'}{e.step ? ` / ${e.step}` : ''}</td>
          </tr>
        ))}</tbody>
      </table>
    </div>
  );
}
