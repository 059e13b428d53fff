// The browser's httpOnly cookie holding the API session id (never a key or a password).
import { cookies } from 'next/headers';
import { SECURE_COOKIES, SESSION_COOKIE } from './config';
import type { Session } from './api';

/** Keeps `s` in the session cookie for as long as the API keeps the session. */
export async function keepSession(s: Session) {
  const maxAge = Math.max(60, Math.floor((Date.parse(s.expiresAt) - Date.now()) / 1000));
  (await cookies()).set(SESSION_COOKIE, s.session, { httpOnly: true, sameSite: 'lax', secure: SECURE_COOKIES, path: '/', maxAge });
}

export async function currentSession(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value;
}
