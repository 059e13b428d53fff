'use client';
// An alert rule, new or edited: on anomalies (minimum dollar impact, subject filters) or on a
// measure of the usage view (per one dimension or the whole scope, one filter, per day or hour,
// above or below a threshold), delivered to the channels ticked and always listed in-app.
import { useActionState, useState } from 'react';
import { type RuleFormState, saveRule } from '@/app/(main)/alerts/actions';
import type { AlertRuleFieldsFragment } from '@/lib/graphql/operations';

export interface RuleFormMember { name: string; title: string }
/** A rule as the page reads it (AlertRuleFields, lib/graphql/operations/alerts.graphql). */
export type RuleFormRule = AlertRuleFieldsFragment;

const CAUSES = ['model_choice', 'context_size', 'subagents', 'retries', 'cache_misses', 'call_volume'];
const OPERATORS = ['equals', 'notEquals', 'contains', 'startsWith'];

export function AlertRuleForm({ rule, measures, dimensions, channels }: {
  rule?: RuleFormRule; measures: RuleFormMember[]; dimensions: RuleFormMember[]; channels: Array<{ id: string; name: string; type: string }>;
}) {
  const [state, action, pending] = useActionState<RuleFormState, FormData>(saveRule, { error: null });
  const [kind, setKind] = useState<'anomaly' | 'metric'>(rule?.kind ?? 'metric');
  const m = rule?.metric;
  const a = rule?.anomaly;
  const filter = m?.filters[0];
  return (
    <form action={action} className="panel" aria-label={rule ? `Edit alert rule ${rule.name}` : 'New alert rule'}>
      {rule && <input type="hidden" name="id" value={rule.id} />}
      <div className="toolbar">
        <label>Name <input name="name" required defaultValue={rule?.name} /></label>
        <label>Alert on <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as 'anomaly' | 'metric')}>
          <option value="metric">a metric</option><option value="anomaly">anomalies</option></select></label>
        <label><input type="checkbox" name="enabled" defaultChecked={rule?.enabled ?? true} /> Enabled</label>
      </div>
      {kind === 'metric' ? (
        <fieldset className="toolbar"><legend>When</legend>
          <label>Measure <select name="measure" defaultValue={m?.measure ?? 'total_cost'}>{measures.map((x) => <option key={x.name} value={x.name}>{x.title}</option>)}</select></label>
          <label>Per <select name="dimension" defaultValue={m?.dimension ?? ''}><option value="">the whole workspace</option>{dimensions.map((x) => <option key={x.name} value={x.name}>{x.title}</option>)}</select></label>
          <label>Each <select name="window" defaultValue={m?.window ?? 'day'}><option value="day">day (UTC)</option><option value="hour">hour</option></select></label>
          <label>Is <select name="comparison" defaultValue={m?.comparison ?? 'gt'}><option value="gt">above</option><option value="lt">below</option></select></label>
          <label>Threshold <input name="threshold" required inputMode="decimal" defaultValue={m?.threshold} /></label>
          <label>Only where <select name="filterMember" defaultValue={filter?.member ?? ''}><option value="">(no filter)</option>{dimensions.map((x) => <option key={x.name} value={x.name}>{x.title}</option>)}</select></label>
          <label>Operator <select name="filterOperator" defaultValue={filter?.operator ?? 'equals'}>{OPERATORS.map((o) => <option key={o}>{o}</option>)}</select></label>
          <label>Values (comma-separated) <input name="filterValues" defaultValue={filter?.values?.join(', ')} /></label>
        </fieldset>
      ) : (
        <fieldset className="toolbar"><legend>Which anomalies</legend>
          <label>Minimum dollar impact <input name="minImpact" required inputMode="decimal" defaultValue={a?.minImpact ?? '10'} /></label>
          <label>Of <select name="anomalyKind" defaultValue={a?.anomalyKind ?? ''}><option value="">sessions and tasks</option><option value="session">sessions</option><option value="task">tasks</option></select></label>
          <label>Peer group <input name="peerValue" defaultValue={a?.peerValue ?? ''} /></label>
          <label>Likely cause <select name="likelyCause" defaultValue={a?.likelyCause ?? ''}><option value="">any</option>{CAUSES.map((c) => <option key={c} value={c}>{c.replace('_', ' ')}</option>)}</select></label>
        </fieldset>
      )}
      <fieldset className="toolbar"><legend>Also deliver to</legend>
        {channels.length === 0 ? <span className="muted">No alert channel yet (add one on the Budgets page); notifications are listed in-app.</span>
          : channels.map((c) => <label key={c.id}><input type="checkbox" name="channelIds" value={c.id} defaultChecked={rule?.channelIds.includes(c.id)} /> {c.name} ({c.type})</label>)}
      </fieldset>
      <button type="submit" disabled={pending}>{rule ? 'Save rule' : 'Create rule'}</button>
      {state.error && <p className="error" role="alert">{state.error}</p>}
    </form>
  );
}
