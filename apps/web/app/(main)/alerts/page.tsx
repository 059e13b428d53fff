// Alert rules (issue 21): the workspace's rules, a form to make or edit one, and the latest
// notifications they recorded. The worker evaluates the rules every minute.
import Link from 'next/link';
import { AlertRuleForm, type RuleFormMember, type RuleFormRule } from '@/components/AlertRuleForm';
import { ApiErrors } from '@/components/ApiErrors';
import { ConfirmSubmit } from '@/components/ConfirmSubmit';
import { gql } from '@/lib/api';
import { AlertRulesDocument } from '@/lib/graphql/operations';
import { deleteRule } from './actions';

function describe(r: RuleFormRule): string {
  if (r.anomaly) return `anomalies${r.anomaly.anomalyKind ? ` (${r.anomaly.anomalyKind}s)` : ''} with at least ${r.anomaly.minImpact} dollar impact`
    + `${r.anomaly.peerValue ? `, peer group ${r.anomaly.peerValue}` : ''}${r.anomaly.likelyCause ? `, likely cause ${r.anomaly.likelyCause}` : ''}`;
  const m = r.metric!;
  const filters = m.filters.map((f) => ` where ${f.member} ${f.operator} ${(f.values ?? []).join(', ')}`).join('');
  return `${m.measure} per ${m.dimension ?? 'workspace'} per ${m.window} ${m.comparison === 'gt' ? 'above' : 'below'} ${m.threshold}${filters}`;
}

export default async function Alerts({ searchParams }: { searchParams: Promise<{ edit?: string }> }) {
  const { edit } = await searchParams;
  const res = await gql(AlertRulesDocument);
  if (!res.ok) return <><h2>Alert rules</h2><ApiErrors errors={res.errors} /></>;
  const { alertRules, alertChannels, meta, notifications } = res.data;
  const editing = alertRules.find((r) => r.id === edit);
  const channelName = new Map(alertChannels.map((c) => [c.id, c.name]));
  const member = (m: { name: string; shortTitle: string }): RuleFormMember => ({ name: m.name, title: m.shortTitle });
  const dimensions = meta.dimensions.filter((d) => d.type !== 'time').map(member);
  return (
    <>
      <h2>Alert rules</h2>
      <p className="muted">A rule fires once per group and window (an anomaly once), into the notifications here and in the bell, and to the channels it names.</p>
      <section className="panel scroll">
        {alertRules.length === 0 ? <p className="empty">No alert rule yet.</p> : (
          <table data-testid="alert-rules"><thead><tr><th scope="col">Rule</th><th scope="col">When</th><th scope="col">Channels</th><th scope="col">State</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{alertRules.map((r) => (
              <tr key={r.id}>
                <td>{r.name}</td><td>{describe(r)}</td>
                <td>{r.channelIds.map((id) => channelName.get(id) ?? id).join(', ') || 'in-app only'}</td>
                <td>{r.enabled ? 'enabled' : 'paused'}</td>
                <td className="chips">
                  <Link href={`/alerts?edit=${r.id}`} aria-label={`Edit ${r.name}`}>Edit</Link>
                  <form action={deleteRule}><input type="hidden" name="id" value={r.id} /><ConfirmSubmit label="Delete" ariaLabel={`Delete ${r.name}`} question={`Delete the rule ${r.name} and its notifications?`} /></form>
                </td>
              </tr>
            ))}</tbody></table>
        )}
      </section>
      <h3>{editing ? `Edit ${editing.name}` : 'New rule'}</h3>
      <AlertRuleForm key={editing?.id ?? 'new'} rule={editing} measures={meta.measures.map(member)} dimensions={dimensions} channels={alertChannels} />
      <h3>Latest notifications</h3>
      <section className="panel">
        {notifications.length === 0 ? <p className="empty">None yet.</p> : (
          <ul data-testid="notifications">{notifications.map((n) => <li key={n.id}>{n.title} <small className="muted"><time dateTime={n.occurredAt}>{n.occurredAt.slice(0, 16).replace('T', ' ')} UTC</time></small></li>)}</ul>
        )}
      </section>
    </>
  );
}
