// POST /signin/sso (the "Sign in with SSO" form): asks the API where the e-mail's organization
// signs in, remembers the state in this browser, and sends it to the identity provider.
import { type NextRequest, NextResponse } from 'next/server';
import { safeNext } from '@/lib/safe-next';
import { backToSignIn, redirectUri, rememberPending, startSso } from './sso';

export async function POST(request: NextRequest) {
  const form = await request.formData();
  const email = String(form.get('email') ?? '').trim();
  const next = safeNext(form.get('next'));
  if (!email) return backToSignIn(request, 'Enter your work e-mail to sign in with SSO.', next);
  const started = await startSso(email, redirectUri(request));
  if (!started.ok) return backToSignIn(request, started.message, next);
  return rememberPending(NextResponse.redirect(started.authorizationUrl, 303), { state: started.state, next });
}
