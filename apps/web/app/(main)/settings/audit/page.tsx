// The audit log: every administrative change, newest first, filtered by action, actor, target
// and time; paged by the last entry's id; exported as CSV or JSON (GET /v1/audit-log, through
// ./export so the session stays in its cookie).
import Link from 'next/link';
import { ApiErrors } from '@/components/ApiErrors';
import { gql } from '@/lib/api';
import { formatTime } from '@/lib/format';
import { allows, getMe } from '@/lib/me';
import { AuditActorsDocument, AuditLogDocument, type AuditLogQuery } from '@/lib/graphql/operations';

const PAGE = 50;
type Entry = AuditLogQuery['auditLog'][number];
type Params = { action?: string; actor?: string; targetType?: string; targetId?: string; since?: string; until?: string; before?: string };

/** The form's fields as the API's filter: an actor id is a person's or a key's (whichever it names). */
function filterOf(p: Params, actorIsKey: boolean) {
  const day = (d: string | undefined) => (d ? new Date(`${d}T00:00:00Z`).toISOString() : undefined);
  const untilDay = p.until ? new Date(Date.parse(`${p.until}T00:00:00Z`) + 86_400_000).toISOString() : undefined;
  return {
    action: p.action || undefined, targetType: p.targetType || undefined, targetId: p.targetId || undefined,
    ...(p.actor ? (actorIsKey ? { actorKeyId: p.actor } : { actorUserId: p.actor }) : {}),
    since: day(p.since), until: untilDay,
  };
}

export default async function AuditLog({ searchParams }: { searchParams: Promise<Params> }) {
  const me = await getMe();
  if (!allows(me, 'audit:read')) return <section className="panel"><p className="empty">Only owners and admins read the audit log.</p></section>;
  const params = await searchParams;
  const res = await gql(AuditActorsDocument);
  const people = res.ok ? res.data.members : [];
  const keys = res.ok ? res.data.apiKeys : [];
  const filter = filterOf(params, keys.some((k) => k.id === params.actor));
  const log = await gql(AuditLogDocument, { f: filter, n: PAGE, b: params.before || null });
  const who = (e: Entry) => people.find((m) => m.userId === e.actorUserId)?.email
    ?? keys.find((k) => k.id === e.actorKeyId)?.name ?? e.actorLabel ?? e.actorUserId ?? e.actorKeyId ?? '—';
  const exportQuery = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as Array<[string, string]>);
  const next = new URLSearchParams(Object.entries(params).filter(([k, v]) => v && k !== 'before') as Array<[string, string]>);
  const entries = log.ok ? log.data.auditLog : [];
  if (entries.length === PAGE) next.set('before', entries[entries.length - 1]!.id);
  return (
    <>
      <form className="toolbar" aria-label="Audit filters">
        <label>Action<input name="action" defaultValue={params.action} placeholder="e.g. createApiKey" /></label>
        <label>Actor
          <select name="actor" defaultValue={params.actor ?? ''}><option value="">anyone</option>
            {people.map((m) => <option key={m.userId} value={m.userId}>{m.email}</option>)}
            {keys.map((k) => <option key={k.id} value={k.id}>key {k.name} ({k.prefix})</option>)}
          </select>
        </label>
        <label>Target type<input name="targetType" defaultValue={params.targetType} placeholder="e.g. api_key" /></label>
        <label>Target id<input name="targetId" defaultValue={params.targetId} /></label>
        <label>From (UTC)<input name="since" type="date" defaultValue={params.since} /></label>
        <label>To (UTC)<input name="until" type="date" defaultValue={params.until} /></label>
        <button type="submit">Filter</button>
        <a href={`/settings/audit/export?format=csv&${exportQuery}`} download>Export CSV</a>
        <a href={`/settings/audit/export?format=json&${exportQuery}`} download>Export JSON</a>
      </form>
      {!log.ok ? <ApiErrors errors={log.errors} /> : (
        <section className="panel scroll">
          {entries.length === 0 ? <p className="empty">No entries match.</p> : (
            <table data-testid="audit-log">
              <thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Change</th></tr></thead>
              <tbody>{entries.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td>{formatTime(e.occurredAt)}</td><td>{who(e)}</td><td><code>{e.action}</code></td>
                  <td>{e.targetType}{e.targetId ? <> <code>{e.targetId}</code></> : null}</td>
                  <td><details><summary>before / after</summary><pre className="snippet">{e.before ?? 'null'}{'\n→\n'}{e.after ?? 'null'}</pre></details></td>
                </tr>
              ))}</tbody>
            </table>
          )}
          {params.before && <Link href="/settings/audit">Newest</Link>}{' '}
          {next.has('before') && <Link href={`/settings/audit?${next}`}>Older entries</Link>}
        </section>
      )}
    </>
  );
}
