// Anomalies: sessions and tasks costing more than their peers, with their excess split by cause and the evidence.
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { gql } from '@/lib/api';
import { formatMoney, formatTime } from '@/lib/format';
import type * as Schema from '@/lib/graphql/schema';

type Anomaly = Pick<Schema.Anomaly, 'id' | 'kind' | 'subject' | 'windowStart' | 'cost' | 'excess' | 'ratio' | 'likelyCause' | 'peerGroup' | 'causes'>;

export default async function Anomalies({ searchParams }: { searchParams: Promise<{ kind?: string }> }) {
  const kind = (await searchParams).kind;
  const res = await gql<{ anomalies: Anomaly[] }>(`query($kind: AnomalyKind) { anomalies(kind: $kind, first: 100) { id kind subject windowStart cost excess ratio likelyCause
    peerGroup { dimension value size medianCost } causes { cause score excess summary evidence { metric value peerMedian } } } }`, { kind: kind === 'session' || kind === 'task' ? kind : null });
  if (!res.ok) return <><h2>Anomalies</h2><ApiErrors errors={res.errors} /></>;
  const field = (k: string) => (k === 'session' ? 'session_id' : 'task_id');
  return (
    <>
      <h2>Anomalies</h2>
      <nav className="chips" aria-label="Kind" style={{ marginBottom: 12 }}>
        <Link className="chip" style={{ paddingRight: 10 }} href="/anomalies">all</Link><Link className="chip" style={{ paddingRight: 10 }} href="/anomalies?kind=session">sessions</Link><Link className="chip" style={{ paddingRight: 10 }} href="/anomalies?kind=task">tasks</Link>
      </nav>
      {res.data.anomalies.length === 0 ? <p className="empty panel">No anomalies detected (the worker checks every hour).</p> : res.data.anomalies.map((a) => (
        <section className="panel" key={a.id} style={{ marginBottom: 12 }} data-testid="anomaly">
          <h3>{a.kind} <Link href={`/events?f=${encodeURIComponent(`${field(a.kind)}|equals|${encodeURIComponent(a.subject)}`)}&from=${a.windowStart.slice(0, 10)}`}>{a.subject}</Link>: {formatMoney(a.cost)}, {Number(a.ratio).toFixed(1)}× its peers</h3>
          <p className="muted">{formatTime(a.windowStart)} · peers: {a.peerGroup.dimension} = {a.peerGroup.value} ({a.peerGroup.size}, median {formatMoney(a.peerGroup.medianCost)}) · likely cause: {a.likelyCause?.replaceAll('_', ' ') ?? '—'}</p>
          <p data-testid="excess">Excess over the peer median: <strong>{formatMoney(a.excess)}</strong>{a.causes.some((c) => c.excess) ? ` = ${a.causes.map((c) => `${c.cause.replaceAll('_', ' ')} ${c.excess ? formatMoney(c.excess) : '?'}`).join(' + ')}` : ''}</p>
          <ul>{a.causes.map((c) => <li key={c.cause}><strong>{c.cause.replaceAll('_', ' ')}</strong>{c.excess ? ` (${formatMoney(c.excess)}, ${Math.round(c.score * 100)} %)` : ''}: {c.summary} <span className="muted">({c.evidence.map((e) => `${e.metric} ${e.value} vs ${e.peerMedian}`).join('; ')})</span></li>)}</ul>
        </section>
      ))}
    </>
  );
}
