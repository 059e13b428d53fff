'use client';
// The settings pages' forms. A secret the API returns (a new key, an invitation link) is shown
// once, here, and never again: the API keeps only its hash.
import { useActionState } from 'react';
import { type Shown, createKey, inviteMember, rotateKey, saveWorkspace, settingsCommand } from '@/app/(main)/settings/actions';

const START: Shown = { error: null };
const ROLES = ['viewer', 'analyst', 'admin', 'owner'];

function Outcome({ state, testId, link }: { state: Shown; testId: string; link?: (secret: string) => string }) {
  if (state.error) return <p role="alert" className="error">{state.error}</p>;
  if (!state.secret) return state.note ? <p role="status">{state.note}</p> : null;
  const shown = link ? link(state.secret) : state.secret;
  return (
    <div role="status">
      <p><strong>Copy it now: it is shown only once.</strong> {state.note}</p>
      <p className="secret" data-testid={testId}>{shown}</p>
      <button type="button" onClick={() => navigator.clipboard?.writeText(shown)}>Copy</button>
    </div>
  );
}

export interface WorkspaceValues { name: string; timeZone: string; currency: string; rawRetentionDays: number | null }

export function WorkspaceForm({ values, canEdit }: { values: WorkspaceValues; canEdit: boolean }) {
  const [state, action, pending] = useActionState(saveWorkspace, START);
  const retention = values.rawRetentionDays === null ? '' : String(values.rawRetentionDays);
  return (
    <form action={action} aria-label="Workspace settings" className="signin-form">
      <fieldset disabled={!canEdit} style={{ border: 0, padding: 0, display: 'grid', gap: 12, maxWidth: 420 }}>
        <label className="field">Name<input name="name" defaultValue={values.name} required /></label>
        <label className="field">Time zone (IANA)<input name="timeZone" defaultValue={values.timeZone} required /></label>
        <label className="field">Reporting currency (ISO 4217)<input name="currency" defaultValue={values.currency} maxLength={3} required /></label>
        <p className="muted" data-testid="currency-hint">Every figure is shown in it: each cost, bill, pool and revenue converted at the ECB reference rate of its own day.</p>
        <label className="field">Keep raw events for (days; empty: forever)<input name="retentionDays" type="number" min={1} defaultValue={retention} /></label>
        <input type="hidden" name="retentionBefore" value={retention} />
        {canEdit && <button className="primary" type="submit" disabled={pending}>{pending ? 'Saving…' : 'Save'}</button>}
      </fieldset>
      <Outcome state={state} testId="workspace-saved" />
    </form>
  );
}

export function InviteForm({ canInviteOwner }: { canInviteOwner: boolean }) {
  const [state, action, pending] = useActionState(inviteMember, START);
  return (
    <form action={action} aria-label="Invite a member">
      <div className="toolbar">
        <label>E-mail<input name="email" type="email" required /></label>
        <label>Role<select name="role" defaultValue="viewer">{ROLES.filter((r) => r !== 'owner' || canInviteOwner).map((r) => <option key={r}>{r}</option>)}</select></label>
        <label>Link valid for
          <select name="expiresInHours" defaultValue="72"><option value="24">1 day</option><option value="72">3 days</option><option value="168">7 days</option><option value="720">30 days</option></select>
        </label>
        <button className="primary" type="submit" disabled={pending}>{pending ? 'Inviting…' : 'Create invitation link'}</button>
      </div>
      <Outcome state={state} testId="invitation-link" link={(token) => `${window.location.origin}/invite/${token}`} />
    </form>
  );
}

export function KeyForm({ dimensions }: { dimensions: Array<{ name: string; title: string }> }) {
  const [state, action, pending] = useActionState(createKey, START);
  return (
    <form action={action} aria-label="New API key">
      <div className="toolbar">
        <label>Name<input name="name" required placeholder="nightly collector" /></label>
        <fieldset style={{ border: 0, padding: 0 }}><legend className="muted">Scopes</legend>
          {['ingest', 'read', 'admin'].map((s) => <label key={s} style={{ flexDirection: 'row', gap: 4 }}><input type="checkbox" name="scopes" value={s} defaultChecked={s === 'ingest'} />{s}</label>)}
        </fieldset>
        <label>Expires (optional)<input name="expiresAt" type="date" /></label>
        <label>Restrict to dimension (optional)
          <select name="restrictDimension" defaultValue=""><option value="">no restriction</option>{dimensions.map((d) => <option key={d.name} value={d.name}>{d.title}</option>)}</select>
        </label>
        <label>Value<input name="restrictValue" placeholder="e.g. nightly-evals" /></label>
        <button className="primary" type="submit" disabled={pending}>{pending ? 'Creating…' : 'Create key'}</button>
      </div>
      <Outcome state={state} testId="new-key" />
    </form>
  );
}

export function RotateForm({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(rotateKey, START);
  return (
    <form action={action} aria-label={`Rotate ${name}`}>
      <input type="hidden" name="id" value={id} />
      <select name="overlapHours" aria-label={`Overlap for ${name}`} defaultValue="24"><option value="0">no overlap</option><option value="1">1 hour</option><option value="24">24 hours</option><option value="168">7 days</option></select>
      {' '}<button type="submit" disabled={pending}>Rotate</button>
      <Outcome state={state} testId="rotated-key" />
    </form>
  );
}

/** A one-click change (revoke, remove, change role) with the API's refusal shown beside it. */
export function CommandForm({ command, id, label, ariaLabel, children }: { command: string; id: string; label: string; ariaLabel?: string; children?: React.ReactNode }) {
  const [state, action, pending] = useActionState(settingsCommand, START);
  return (
    <form action={action} style={{ display: 'inline' }}>
      <input type="hidden" name="command" value={command} /><input type="hidden" name="id" value={id} />
      {children}{' '}<button type="submit" aria-label={ariaLabel} disabled={pending}>{label}</button>
      {state.error && <span role="alert" className="error"> {state.error}</span>}
    </form>
  );
}
