'use client';
import { useActionState } from 'react';
import { firstRun } from './actions';

export function SetupForm() {
  const [result, action, pending] = useActionState(firstRun, null);
  return (
    <form action={action} aria-label="First run">
      <label className="field">Organization<input name="organization" defaultValue={result?.values.organization} required placeholder="Acme Inc." /></label>
      <label className="field">First workspace<input name="workspace" defaultValue={result?.values.workspace} required placeholder="Production" /></label>
      <label className="field">Your name<input name="name" autoComplete="name" defaultValue={result?.values.name} /></label>
      <label className="field">E-mail<input name="email" type="email" autoComplete="username" defaultValue={result?.values.email} required /></label>
      <label className="field">Password (12 characters or more)<input name="password" type="password" autoComplete="new-password" required /></label>
      <label className="field">Password again<input name="confirm" type="password" autoComplete="new-password" required /></label>
      {result && <p role="alert" className="error">{result.error}</p>}
      <button className="primary" type="submit" disabled={pending}>{pending ? 'Creating…' : 'Create organization'}</button>
    </form>
  );
}
