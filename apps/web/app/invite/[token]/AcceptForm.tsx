'use client';
import { useActionState } from 'react';
import { acceptInvitation } from './actions';

export function AcceptForm({ token }: { token: string }) {
  const [refusal, action, pending] = useActionState(acceptInvitation, null);
  return (
    <form action={action} aria-label="Accept invitation">
      <input type="hidden" name="token" value={token} />
      <label className="field">Your name<input name="name" autoComplete="name" defaultValue={refusal?.name} /></label>
      <label className="field">Password (12 characters or more)<input name="password" type="password" autoComplete="new-password" required /></label>
      <label className="field">Password again<input name="confirm" type="password" autoComplete="new-password" required /></label>
      <p className="muted">Already have an account with this e-mail? Enter its password (twice) instead.</p>
      {refusal && <p role="alert" className="error">{refusal.error}</p>}
      <button className="primary" type="submit" disabled={pending}>{pending ? 'Joining…' : 'Join workspace'}</button>
    </form>
  );
}
