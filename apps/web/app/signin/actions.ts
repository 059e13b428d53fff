'use server';
// Sign-in trades the API key for a session of the API (POST /v1/sessions): the browser's
// httpOnly cookie holds the session id, never the key, and sign-out ends the session.
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { endSession, startSession } from '@/lib/api';
import { SECURE_COOKIES, SESSION_COOKIE } from '@/lib/config';
import { safeNext } from '@/lib/safe-next';

export async function signIn(_prev: string | null, form: FormData): Promise<string | null> {
  const key = String(form.get('key') ?? '').trim();
  if (!key) return 'Enter a workspace API key.';
  const started = await startSession(key);
  if (!started.ok) return started.status === 401 ? 'This API key is unknown or revoked.' : started.status === 403 ? 'This key lacks the read scope.' : started.message;
  const maxAge = Math.max(60, Math.floor((Date.parse(started.expiresAt) - Date.now()) / 1000));
  (await cookies()).set(SESSION_COOKIE, started.session, { httpOnly: true, sameSite: 'lax', secure: SECURE_COOKIES, path: '/', maxAge });
  redirect(safeNext(form.get('next')));
}

export async function signOut() {
  const jar = await cookies();
  const session = jar.get(SESSION_COOKIE)?.value;
  if (session) await endSession(session);
  jar.delete(SESSION_COOKIE);
  redirect('/signin');
}
