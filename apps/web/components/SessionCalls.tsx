import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { type ApiResult, gql } from '@/lib/api';
import { type UsageEvent } from '@/lib/events';
import { type Filter, SessionCallsDocument, type SessionCallsQuery } from '@/lib/graphql/operations';
import { formatMeasure, formatMoney, formatTime } from '@/lib/format';
import type { TimeRange } from '@/lib/query-state';

/** A session longer than this many calls shows its latest ones (the page says so). */
const MAX_CALLS = 2000;
const PAGE = 500;

/** Every call of a session, newest first from the API (keyset pages), shown oldest first. */
async function sessionCalls(filters: Filter[], range: TimeRange) {
  const calls: UsageEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const res: ApiResult<SessionCallsQuery> = await gql(SessionCallsDocument, { f: filters, r: range, n: PAGE, a: after });
    if (!res.ok) return res;
    calls.push(...res.data.events.edges.map((e) => e.node));
    after = res.data.events.pageInfo.endCursor;
    if (!res.data.events.pageInfo.hasNextPage || !after) return { ok: true as const, calls: calls.reverse(), complete: true };
    if (calls.length >= MAX_CALLS) return { ok: true as const, calls: calls.reverse(), complete: false };
  }
}

const tokensIn = (e: UsageEvent) => Number(e.tokens.input) + Number(e.tokens.cacheRead) + Number(e.tokens.cacheWrite5m) + Number(e.tokens.cacheWrite1h);
const tokensOut = (e: UsageEvent) => Number(e.tokens.output) + Number(e.tokens.reasoning);

export async function SessionCalls({ filters, range }: { filters: Filter[]; range: TimeRange }) {
  const res = await sessionCalls(filters, range);
  if (!res.ok) return <ApiErrors errors={res.errors} />;
  return (
    <section className="panel scroll" aria-labelledby="session-calls-h">
      <h3 id="session-calls-h">Calls in order ({res.calls.length}{res.complete ? '' : `, the latest ${MAX_CALLS}`})</h3>
      {res.calls.length === 0 ? <p className="empty">No calls in this range.</p> : (
        <table data-testid="session-calls">
          <thead><tr><th className="num" scope="col">#</th><th scope="col">Time (UTC)</th><th scope="col">Model</th><th scope="col">Agent / step</th><th scope="col">Status</th>
            <th className="num" scope="col">Input</th><th className="num" scope="col">Output</th><th className="num" scope="col">Latency</th><th className="num" scope="col">Cost</th></tr></thead>
          <tbody>{res.calls.map((e, i) => (
            <tr key={e.id} data-event-id={e.id}>
              <td className="num">{i + 1}</td><td><Link href={`/events/${e.id}`}>{formatTime(e.occurredAt)}</Link></td>
              <td>{e.model ? `${e.provider ?? '—'} / ${e.model}` : e.kind}</td><td>{e.agent ?? '—'}{e.step ? ` / ${e.step}` : ''}</td>
              <td><span className={`badge ${e.status === 'ok' ? 'ok' : 'error'}`}>{e.status}</span></td>
              <td className="num">{formatMeasure('input_tokens', tokensIn(e))}</td><td className="num">{formatMeasure('output_tokens', tokensOut(e))}</td>
              <td className="num">{e.latencyMs === null || e.latencyMs === undefined ? '—' : `${formatMeasure('calls', e.latencyMs)} ms`}</td>
              <td className="num" data-value={e.totalCost ?? ''}>{e.unpriced ? <span className="badge warning">unpriced</span> : formatMoney(e.totalCost)}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}
