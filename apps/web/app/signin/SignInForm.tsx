'use client';
import { useActionState } from 'react';
import { signIn, signInWithKey } from './actions';

/** People sign in with e-mail and password. */
export function SignInForm({ next }: { next: string }) {
  const [refusal, action, pending] = useActionState(signIn, null);
  return (
    <form action={action} aria-label="Sign in">
      <label className="field" htmlFor="email">E-mail
        <input id="email" name="email" type="email" autoComplete="username" defaultValue={refusal?.email} required />
      </label>
      <label className="field" htmlFor="password">Password
        <input id="password" name="password" type="password" autoComplete="current-password" required />
      </label>
      <input type="hidden" name="next" value={next} />
      {refusal && <p role="alert" className="error">{refusal.error}</p>}
      <button className="primary" type="submit" disabled={pending}>{pending ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}

/** Machines and the demo: a workspace API key with the read scope. */
export function KeySignInForm({ next }: { next: string }) {
  const [error, action, pending] = useActionState(signInWithKey, null);
  return (
    <form action={action} aria-label="Sign in with an API key">
      <label className="field" htmlFor="key">Workspace API key (read scope)
        <input id="key" name="key" type="password" autoComplete="off" required />
      </label>
      <input type="hidden" name="next" value={next} />
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" disabled={pending}>{pending ? 'Checking…' : 'Sign in with key'}</button>
    </form>
  );
}
