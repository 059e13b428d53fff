'use client';
// Create or edit a budget; the scope picker offers the model's dimensions and, for the one
// picked, the values this workspace's events carry (most used first).
import { type FormEvent, startTransition, useActionState, useEffect, useState } from 'react';
import { type FormState, saveBudget, scopeValues } from '@/app/(main)/budgets/actions';

export interface BudgetValues {
  id?: string; name: string; scope: Array<{ member: string; operator: string; values: string[] }>; wholeWorkspace: boolean;
  period: string; rollingDays: number | null; rollingHours?: number | null; unit?: string; timezone: string; amount: string; thresholds: number[];
  forecastAlerts: boolean; mode: string;
}

/**
 * `organization`: a new organization budget over some of these workspaces (or all of the
 * organization's, later ones too); the API refuses a workspace where the person may not manage budgets.
 */
export function BudgetForm({ budget, dimensions, organization }: {
  budget?: BudgetValues; dimensions: Array<{ name: string; title: string }>; organization?: Array<{ slug: string; name: string }>;
}) {
  const [state, action, pending] = useActionState<FormState, FormData>(saveBudget, { error: null });
  const [rows, setRows] = useState(budget?.scope.length ? budget.scope : [{ member: '', operator: 'equals', values: [] as string[] }]);
  const [period, setPeriod] = useState(budget?.period ?? 'monthly');
  const [unit, setUnit] = useState(budget?.unit ?? 'cost');
  // Submitted from onSubmit, not `<form action>`: React resets an action form after every
  // submission, so a refused budget would come back blank; this way what was typed stays.
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    startTransition(() => action(data));
  };
  return (
    <form onSubmit={submit} className="panel" aria-label={budget ? 'Edit budget' : organization ? 'New organization budget' : 'New budget'}>
      <h3>{budget ? 'Edit budget' : organization ? 'New organization budget' : 'New budget'}</h3>
      {organization && <OrganizationReach workspaces={organization} />}
      {budget?.id && <input type="hidden" name="id" value={budget.id} />}
      <div className="toolbar">
        <label>Name <input name="name" required defaultValue={budget?.name} /></label>
        <label>Counts
          <select name="unit" value={unit} onChange={(e) => setUnit(e.target.value)}>
            <option value="cost">cost (a budget)</option><option value="tokens">tokens (a plan limit)</option><option value="calls">calls (a plan limit)</option>
          </select>
        </label>
        <label>{unit === 'cost' ? 'Amount (USD)' : `Limit (${unit})`} <input name="amount" required inputMode="decimal" defaultValue={budget?.amount} style={{ width: 110 }} /></label>
        <label>Period
          <select name="period" value={period} onChange={(e) => setPeriod(e.target.value)}>
            {['daily', 'weekly', 'monthly', 'rolling', 'lifetime'].map((p) => <option key={p}>{p}</option>)}
          </select>
        </label>
        {period === 'rolling' && (
          <label>Window
            <span className="chips">
              <input name="rollingLength" aria-label="Window length" type="number" min={1} defaultValue={budget?.rollingHours ?? budget?.rollingDays ?? 30} style={{ width: 70 }} />
              <select name="rollingUnit" aria-label="Window unit" defaultValue={budget?.rollingHours ? 'hours' : 'days'}><option value="days">days</option><option value="hours">hours</option></select>
            </span>
          </label>
        )}
        <label>Time zone <input name="timezone" defaultValue={budget?.timezone ?? 'UTC'} style={{ width: 140 }} /></label>
        <label>Mode <select name="mode" defaultValue={budget?.mode ?? 'soft'}><option value="soft">soft (alert)</option><option value="hard">hard (alert and deny)</option></select></label>
        <label>Thresholds (%) <input name="thresholds" defaultValue={(budget?.thresholds ?? [50, 75, 90, 100]).join(', ')} /></label>
        <label style={{ flexDirection: 'row', alignItems: 'center' }}><input type="checkbox" name="forecastAlerts" defaultChecked={budget?.forecastAlerts ?? true} /> forecast alerts</label>
      </div>
      <fieldset style={{ border: 0, padding: 0 }}>
        <legend className="muted">Scope (all conditions must hold)</legend>
        {rows.map((r, i) => (
          <div className="chips" key={i} style={{ marginBottom: 6 }}>
            <select name="scope_member" aria-label={`Scope dimension ${i + 1}`} value={r.member}
              onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, member: e.target.value } : x)))}>
              <option value="">dimension…</option>
              {dimensions.map((d) => <option key={d.name} value={d.name}>{d.title}</option>)}
            </select>
            <select name="scope_operator" aria-label={`Scope operator ${i + 1}`} defaultValue={r.operator}><option value="equals">is one of</option><option value="notEquals">is none of</option></select>
            <input name="scope_values" aria-label={`Scope values ${i + 1}`} placeholder="values, comma-separated" defaultValue={r.values.join(', ')} list={`scope-values-${i}`} />
            <ValueSuggestions id={`scope-values-${i}`} member={r.member} />
            <button type="button" aria-label={`Remove scope condition ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>×</button>
          </div>
        ))}
        <div className="chips">
          <button type="button" onClick={() => setRows([...rows, { member: '', operator: 'equals', values: [] }])}>+ condition</button>
          <label style={{ display: 'flex', gap: 6, alignItems: 'center' }}><input type="checkbox" name="wholeWorkspace" defaultChecked={budget?.wholeWorkspace} /> the whole workspace (no scope)</label>
        </div>
      </fieldset>
      {state.error && <p className="error" role="alert">{state.error}</p>}
      <p><button className="primary" type="submit" disabled={pending}>{pending ? 'Saving…' : budget ? 'Save changes' : 'Create budget'}</button></p>
    </form>
  );
}

/** The workspaces an organization budget covers: some of them, or all of the organization's. */
function OrganizationReach({ workspaces }: { workspaces: Array<{ slug: string; name: string }> }) {
  const [all, setAll] = useState(false);
  return (
    <fieldset style={{ border: 0, padding: 0 }}>
      <legend className="muted">Workspaces it covers (its spend is their sum; its hard stop applies in each)</legend>
      <input type="hidden" name="return" value="/organization" />
      <div className="chips">
        <label style={{ display: 'flex', gap: 6, alignItems: 'center' }}><input type="checkbox" name="org_all" checked={all} onChange={(e) => setAll(e.target.checked)} /> all of the organization’s workspaces (later ones too)</label>
        {!all && workspaces.map((w) => (
          <label key={w.slug} style={{ display: 'flex', gap: 6, alignItems: 'center' }}><input type="checkbox" name="org_workspace" value={w.slug} /> {w.name}</label>
        ))}
      </div>
    </fieldset>
  );
}

/** The values the workspace has seen for a dimension, as the input's suggestions. */
function ValueSuggestions({ id, member }: { id: string; member: string }) {
  const [values, setValues] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    setValues([]);
    if (member) void scopeValues(member).then((v) => live && setValues(v));
    return () => { live = false; };
  }, [member]);
  return <datalist id={id} data-testid={id} data-member={member}>{values.map((v) => <option key={v} value={v} />)}</datalist>;
}
