// GET /signin/sso/callback: where the identity provider sends the browser back. The state must
// be the one this browser left with; the API then checks the rest (code, PKCE, ID token, nonce,
// e-mail) and opens a session, kept in the same httpOnly cookie as a password sign-in's.
import { type NextRequest, NextResponse } from 'next/server';
import { SECURE_COOKIES, SESSION_COOKIE } from '@/lib/config';
import { safeNext } from '@/lib/safe-next';
import { COOKIE_PATH, SSO_COOKIE, backToSignIn, finishSso, landing, pendingOf } from '../sso';

export async function GET(request: NextRequest) {
  const pending = pendingOf(request);
  const state = request.nextUrl.searchParams.get('state');
  if (!pending || !state || pending.state !== state) {
    return backToSignIn(request, 'This SSO sign-in did not start in this browser, or took longer than 10 minutes: start it again.', '/');
  }
  const next = safeNext(pending.next);
  // The session this browser holds, if any, is ended by the new one (rotation on sign-in).
  const finished = await finishSso(request.nextUrl.search.slice(1), request.cookies.get(SESSION_COOKIE)?.value);
  if (!finished.ok) return backToSignIn(request, finished.message, next);
  const response = NextResponse.redirect(landing(request, next), 303);
  const maxAge = Math.max(60, Math.floor((Date.parse(finished.expiresAt) - Date.now()) / 1000));
  response.cookies.set(SESSION_COOKIE, finished.session, { httpOnly: true, sameSite: 'lax', secure: SECURE_COOKIES, path: '/', maxAge });
  response.cookies.set(SSO_COOKIE, '', { path: COOKIE_PATH, maxAge: 0 });
  return response;
}
