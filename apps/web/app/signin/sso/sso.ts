// OpenID Connect sign-in, the web app's side (the API runs the protocol: apps/api/src/routes/sso.ts).
// The browser leaves with a short-lived httpOnly cookie holding the state the API issued, and
// comes back with the provider's answer: only the browser that started a sign-in can finish it.
import { headers } from 'next/headers';
import type { NextRequest } from 'next/server';
import { NextResponse } from 'next/server';
import { API_URL, SECURE_COOKIES, WEB_PUBLIC_URL } from '@/lib/config';

export const SSO_COOKIE = 'sg_sso';
export const COOKIE_PATH = '/signin/sso';
const PENDING_S = 600; // the API keeps a sign-in under way as long

type Answer<T> = ({ ok: true } & T) | { ok: false; message: string };

/**
 * The app's address as the browser sees it: WEB_PUBLIC_URL behind a proxy, else the Host the
 * browser asked for (`next start` reports its own as localhost; the state cookie and the
 * redirect URI registered at the provider must name the host the browser uses).
 */
function originOf(protocol: string, host: string) {
  return WEB_PUBLIC_URL ?? `${protocol}//${host}`;
}
const publicOrigin = (request: NextRequest) => originOf(request.nextUrl.protocol, request.headers.get('host') ?? request.nextUrl.host);

export const redirectUri = (request: NextRequest) => `${publicOrigin(request)}${COOKIE_PATH}/callback`;

/** The same redirect URI, for a page to show (a server component has the request's headers, no URL). */
export async function redirectUriOfPage() {
  const h = await headers();
  const protocol = h.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? 'http';
  return `${originOf(`${protocol}:`, h.get('host') ?? 'localhost')}${COOKIE_PATH}/callback`;
}

async function callApi<T>(path: string, body: unknown, session?: string): Promise<Answer<T>> {
  try {
    const res = await fetch(`${API_URL}${path}`, {
      method: 'POST', cache: 'no-store', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(session ? { authorization: `Bearer ${session}` } : {}) },
    });
    const answer = (await res.json().catch(() => ({}))) as T & { message?: string };
    return res.ok ? { ok: true, ...answer } : { ok: false, message: answer.message ?? `the API answered ${res.status}` };
  } catch (e) {
    return { ok: false, message: `the Spendgraph API at ${API_URL} is unreachable: ${(e as Error).message}` };
  }
}

export const startSso = (email: string, uri: string) =>
  callApi<{ authorizationUrl: string; state: string }>('/v1/sso/start', { email, redirectUri: uri });

export const finishSso = (query: string, session?: string) =>
  callApi<{ session: string; expiresAt: string }>('/v1/sso/callback', { query }, session);

/** Back to the sign-in page, saying what went wrong. */
export function backToSignIn(request: NextRequest, message: string, next: string) {
  const url = new URL('/signin', publicOrigin(request));
  url.searchParams.set('sso_error', message);
  if (next !== '/') url.searchParams.set('next', next);
  const response = NextResponse.redirect(url, 303);
  response.cookies.set(SSO_COOKIE, '', { path: COOKIE_PATH, maxAge: 0 });
  return response;
}

export function rememberPending(response: NextResponse, pending: { state: string; next: string }) {
  response.cookies.set(SSO_COOKIE, JSON.stringify(pending), { httpOnly: true, sameSite: 'lax', secure: SECURE_COOKIES, path: COOKIE_PATH, maxAge: PENDING_S });
  return response;
}

export function pendingOf(request: NextRequest): { state: string; next: string } | undefined {
  try {
    const p = JSON.parse(request.cookies.get(SSO_COOKIE)?.value ?? '') as { state?: unknown; next?: unknown };
    return typeof p.state === 'string' && typeof p.next === 'string' ? { state: p.state, next: p.next } : undefined;
  } catch {
    return undefined;
  }
}

export const landing = (request: NextRequest, next: string) => new URL(next, publicOrigin(request));
