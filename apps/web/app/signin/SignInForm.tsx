'use client';
import { useActionState } from 'react';
import { signIn } from './actions';

export function SignInForm({ next }: { next: string }) {
  const [error, action, pending] = useActionState(signIn, null);
  return (
    <form action={action}>
      <label className="field" htmlFor="key">Workspace API key (read scope)
        <input id="key" name="key" type="password" autoComplete="off" required />
      </label>
      <input type="hidden" name="next" value={next} />
      {error && <p role="alert" className="error">{error}</p>}
      <button className="primary" type="submit" disabled={pending}>{pending ? 'Checking…' : 'Sign in'}</button>
    </form>
  );
}
