'use client';
// "Sign in with SSO": the work e-mail picks the organization's identity provider (POST /signin/sso).
import { useSearchParams } from 'next/navigation';

export function SsoSignIn() {
  const params = useSearchParams();
  const error = params.get('sso_error');
  return (
    <form method="post" action="/signin/sso" aria-label="Single sign-on">
      <p className="muted">Or sign in with your organization&apos;s identity provider.</p>
      <label className="field" htmlFor="sso-email">Work e-mail (single sign-on)
        <input id="sso-email" name="email" type="email" autoComplete="email" required />
      </label>
      <input type="hidden" name="next" value={params.get('next') ?? '/'} />
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit">Sign in with SSO</button>
    </form>
  );
}
