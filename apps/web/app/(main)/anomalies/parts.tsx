// The anomalies page's parts: filters (a GET form: the URL is the state), totals, groups and one row.
import Link from 'next/link';
import { type AnomalyQuery, CAUSE_LABELS, GROUPINGS, STATUS_CHOICES, anomalyHref, causeLabel, evidenceText, explanation } from '@/lib/anomalies';
import { formatMoney, formatTime } from '@/lib/format';
import type { AnomaliesQuery, AnomalyRowFragment } from '@/lib/graphql/operations';
import { VsPrevious } from '@/components/VsPrevious';
import { triageAnomaly } from './actions';

export type Row = AnomalyRowFragment;
export type Summary = AnomaliesQuery['anomalySummary'];
type Previous = NonNullable<AnomaliesQuery['previous']>;
type Group = NonNullable<Summary['groups']>[number];

export function Filters({ q }: { q: AnomalyQuery }) {
  return (
    <form className="toolbar panel" method="get" action="/anomalies" aria-label="Filter anomalies" data-testid="anomaly-filters">
      {/* The range is the picker's (above): kept as it is. */}
      {(['range', 'from', 'to', 'compare'] as const).map((k) => (q[k] ? <input key={k} type="hidden" name={k} value={q[k]} /> : null))}
      <label>Kind<select name="kind" defaultValue={q.kind ?? ''}><option value="">sessions and tasks</option><option value="session">sessions</option><option value="task">tasks</option></select></label>
      <label>Status<select name="status" defaultValue={q.status}>{Object.keys(STATUS_CHOICES).map((s) => <option key={s} value={s}>{s}</option>)}</select></label>
      <label>Likely cause<select name="cause" defaultValue={q.cause ?? ''}><option value="">any</option>{Object.entries(CAUSE_LABELS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
      <label>Peer group<input name="peer" defaultValue={q.peer} placeholder="e.g. bugfix x coder" /></label>
      <label>Session or task id<input name="subject" defaultValue={q.subject} /></label>
      <label>Sort<select name="sort" defaultValue={q.sort}><option value="impact">largest impact first</option><option value="recent">newest first</option></select></label>
      <label>Group by<select name="group" defaultValue={q.group ?? ''}><option value="">no grouping</option>{Object.entries(GROUPINGS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select></label>
      <button type="submit" className="primary">Apply</button>
      <Link href={anomalyHref({ status: 'unresolved', sort: 'impact', range: q.range, from: q.from, to: q.to, compare: q.compare })}>Reset</Link>
    </form>
  );
}

/** The totals; with the previous period's (compare=previous), each beside its value then. */
export function Totals({ s, previous }: { s: Summary; previous?: Previous | null }) {
  return (
    <div className="kpis" data-testid="anomaly-totals">
      <div className="panel kpi"><div className="label">Dollar impact</div><div className="value" data-testid="anomaly-impact" data-value={s.excess}>{formatMoney(s.excess)}</div><div className="sub">above the peer medians</div>
        {previous && <VsPrevious measure="excess_cost" current={s.excess} previous={previous.excess} testId="anomaly-impact-previous" />}</div>
      <div className="panel kpi"><div className="label">Anomalies</div><div className="value" data-testid="anomaly-count" data-value={s.count}>{s.count.toLocaleString('en-US')}</div><div className="sub">costing {formatMoney(s.cost)}</div>
        {previous && <VsPrevious measure="anomalies" current={String(s.count)} previous={String(previous.count)} testId="anomaly-count-previous" />}</div>
      <div className="panel kpi"><div className="label">Status</div><div className="value" style={{ fontSize: 16 }}>{s.open} open · {s.acknowledged} acknowledged · {s.dismissed} dismissed</div></div>
    </div>
  );
}

/** Where a group's link goes: the list filtered to that group. */
function groupFilter(by: NonNullable<AnomalyQuery['group']>, key: string): Partial<AnomalyQuery> {
  if (by === 'subject') {
    const [kind, ...subject] = key.split(':');
    // The key is the API's `kind:subject` (the page reads the kind back from the URL as any other).
    return { kind: kind as AnomalyQuery['kind'], subject: subject.join(':'), group: undefined };
  }
  return by === 'peer_group' ? { peer: key, group: undefined } : { cause: key, group: undefined };
}

export function Groups({ q, groups }: { q: AnomalyQuery & { group: NonNullable<AnomalyQuery['group']> }; groups: Group[] }) {
  const label = (key: string) => (q.group === 'likely_cause' ? causeLabel(key) : key.replace(':', ' ').replaceAll(' x ', ' × '));
  return (
    <section className="panel scroll">
      <table data-testid="anomaly-groups"><thead><tr><th scope="col">{GROUPINGS[q.group]}</th><th className="num" scope="col">Anomalies</th><th className="num" scope="col">Cost</th><th className="num" scope="col">Dollar impact</th><th scope="col">Latest</th></tr></thead>
        <tbody>{groups.map((g) => (
          <tr key={g.key} data-key={g.key}><td><Link href={anomalyHref(q, groupFilter(q.group, g.key))}>{label(g.key)}</Link></td><td className="num">{g.count}</td>
            <td className="num">{formatMoney(g.cost)}</td><td className="num" data-value={g.excess}>{formatMoney(g.excess)}</td><td>{g.latestWindowStart.slice(0, 10)}</td></tr>
        ))}</tbody></table>
    </section>
  );
}

const eventsHref = (a: Row) => `/events?f=${encodeURIComponent(`${a.kind === 'session' ? 'session_id' : 'task_id'}|equals|${encodeURIComponent(a.subject)}`)}&from=${a.windowStart.slice(0, 10)}`;

function TriageState({ a }: { a: Row }) {
  if (a.triage.status === 'open') return <span className="badge warning">open</span>;
  return (
    <span data-testid="triage-state">
      <span className={`badge ${a.triage.status === 'dismissed' ? '' : 'ok'}`}>{a.triage.status}</span>{' '}
      <span className="muted">by {a.triage.by ?? 'an API key'}, {formatTime(a.triage.at)}{a.triage.note ? `: “${a.triage.note}”` : ''}</span>
    </span>
  );
}

function TriageButtons({ a }: { a: Row }) {
  const button = (command: string, label: string) => <button type="submit" name="command" value={command}>{label}</button>;
  return (
    <form action={triageAnomaly} className="chips" aria-label={`Triage ${a.subject}`}>
      <input type="hidden" name="id" value={a.id} />
      {a.triage.status === 'open' ? (
        <><input name="note" aria-label={`Note on ${a.subject}`} placeholder="note (optional)" />{button('acknowledgeAnomaly', 'Acknowledge')}{button('dismissAnomaly', 'Dismiss')}</>
      ) : button('reopenAnomaly', 'Reopen')}
    </form>
  );
}

export function AnomalyRow({ a }: { a: Row }) {
  return (
    <tr data-testid="anomaly" data-id={a.id} data-status={a.triage.status}>
      <td><Link href={eventsHref(a)}>{a.subject}</Link><br /><span className="muted">{a.kind}, {a.windowStart.slice(0, 10)}</span></td>
      <td className="num" data-testid="excess" data-value={a.excess}><strong>{formatMoney(a.excess)}</strong><br /><span className="muted">of {formatMoney(a.cost)}</span></td>
      <td>
        <span data-testid="explanation">{explanation(a)}</span>
        {a.causes.length > 0 && (
          <details><summary>Evidence</summary><ul>{a.causes.map((c) => (
            <li key={c.cause}><strong>{causeLabel(c.cause)}</strong>{c.excess ? ` (${formatMoney(c.excess)})` : ''}: {c.evidence.map(evidenceText).join('; ')}</li>
          ))}</ul></details>
        )}
      </td>
      <td><TriageState a={a} /><TriageButtons a={a} /></td>
    </tr>
  );
}
