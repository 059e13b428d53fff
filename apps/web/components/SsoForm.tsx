'use client';
// The organization's SSO connection, edited. The client secret is write-only: the field is empty
// and says whether one is stored; left empty, the stored one stays. After a refusal the form
// shows what was typed (but the secret) and marks the field the API named.
import { useActionState } from 'react';
import { type SsoShown, type SsoValues, removeSso, saveSso } from '@/app/(main)/settings/sso/actions';

const START: SsoShown = { round: 0, error: null };
const ROLES = ['viewer', 'analyst', 'admin'];

export interface SsoFormProps {
  stored: (SsoValues & { hasClientSecret: boolean }) | null;
  workspaces: Array<{ workspaceId: string; name: string; slug: string }>;
}

function Outcome({ state }: { state: SsoShown }) {
  if (state.error) return <p role="alert" className="error">{state.error}</p>;
  return state.note ? <p role="status">{state.note}</p> : null;
}

function SecretField({ hasSecret }: { hasSecret: boolean }) {
  return (
    <>
      <label className="field">Client secret ({hasSecret ? 'one is stored: leave empty to keep it' : 'none stored'})
        <input name="clientSecret" type="password" autoComplete="off" placeholder={hasSecret ? '•••••••• (stored)' : 'empty: a public client (PKCE only)'} />
      </label>
      {hasSecret && <label style={{ flexDirection: 'row', gap: 6 }}><input type="checkbox" name="removeSecret" />Remove the stored secret (a public client)</label>}
    </>
  );
}

export function SsoForm({ stored, workspaces }: SsoFormProps) {
  const [state, action, pending] = useActionState(saveSso, START);
  const [removed, remove, removing] = useActionState(removeSso, START);
  // After a refusal, what was typed; otherwise what is stored (the page re-reads it after a change).
  const v = (state.error ? state.values : undefined) ?? stored ?? { issuer: '', clientId: '', domains: '', defaultRole: 'viewer', workspaceIds: workspaces.map((w) => w.workspaceId), enabled: true };
  const invalid = (name: string) => (state.field === name ? true : undefined);
  return (
    <>
      <form key={`${state.round}-${removed.round}`} action={action} aria-label="SSO connection" className="signin-form">
        <fieldset style={{ border: 0, padding: 0, display: 'grid', gap: 12, maxWidth: 520 }}>
          <label className="field">Issuer URL<input name="issuer" type="url" defaultValue={v.issuer} aria-invalid={invalid('issuer')} required placeholder="https://accounts.google.com" /></label>
          <label className="field">Client ID<input name="clientId" defaultValue={v.clientId} aria-invalid={invalid('clientId')} required /></label>
          <SecretField hasSecret={!!stored?.hasClientSecret} />
          <label className="field">E-mail domains (comma-separated)<input name="domains" defaultValue={v.domains} aria-invalid={invalid('domains')} required placeholder="acme.com, acme.co.uk" /></label>
          <label className="field">Default role<select name="defaultRole" defaultValue={v.defaultRole}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></label>
          <fieldset aria-invalid={invalid('workspaceIds')} style={{ border: 0, padding: 0 }}><legend className="muted">Workspaces people join on their first sign-in</legend>
            {workspaces.map((w) => (
              <label key={w.workspaceId} style={{ flexDirection: 'row', gap: 6 }}>
                <input type="checkbox" name="workspaceIds" value={w.workspaceId} defaultChecked={v.workspaceIds.includes(w.workspaceId)} />{w.name} <span className="muted">({w.slug})</span>
              </label>
            ))}
          </fieldset>
          <label style={{ flexDirection: 'row', gap: 6 }}><input type="checkbox" name="enabled" defaultChecked={v.enabled} />Enabled</label>
          <button className="primary" type="submit" disabled={pending}>{pending ? 'Saving…' : 'Save'}</button>
        </fieldset>
        <Outcome state={state} />
      </form>
      {stored && <form action={remove} aria-label="Remove SSO connection" style={{ marginTop: 16 }}>
        <button type="submit" disabled={removing}>{removing ? 'Removing…' : 'Remove connection'}</button>
      </form>}
      <Outcome state={removed} />
    </>
  );
}
