'use server';
// Sign-in trades an e-mail and password (people) or an API key (machines, the demo) for a
// session of the API (POST /v1/sessions): the browser's httpOnly cookie holds the session id,
// never the password or key, and sign-out ends the session.
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { endSession, passwordSession, startSession } from '@/lib/api';
import { SESSION_COOKIE } from '@/lib/config';
import { currentSession, keepSession } from '@/lib/session';
import { safeNext } from '@/lib/safe-next';

/** The API's words for a refused password sign-in: wrong, locked out (with how long), rate-limited. */
function passwordRefusal(status: number, message: string) {
  if (status === 401) return 'Wrong e-mail or password.';
  if (status === 429) return `Sign-in refused for now: ${message}.`;
  return message;
}

/** A refused sign-in, and the e-mail typed (React empties a form after its action). */
export type SignInRefusal = { error: string; email: string } | null;

export async function signIn(_prev: SignInRefusal, form: FormData): Promise<SignInRefusal> {
  const email = String(form.get('email') ?? '').trim();
  const password = String(form.get('password') ?? '');
  if (!email || !password) return { error: 'Enter your e-mail and password.', email };
  const started = await passwordSession(email, password, await currentSession());
  if (!started.ok) return { error: passwordRefusal(started.status, started.message), email };
  await keepSession(started.data);
  redirect(safeNext(form.get('next')));
}

export async function signInWithKey(_prev: string | null, form: FormData): Promise<string | null> {
  const key = String(form.get('key') ?? '').trim();
  if (!key) return 'Enter a workspace API key.';
  const started = await startSession(key);
  if (!started.ok) {
    return started.status === 401 ? 'This API key is unknown or revoked.' : started.status === 403 ? 'This key lacks the read scope.'
      : started.status === 429 ? `Sign-in refused for now: ${started.message}.` : started.message;
  }
  await keepSession(started.data);
  redirect(safeNext(form.get('next')));
}

export async function signOut() {
  const jar = await cookies();
  const session = jar.get(SESSION_COOKIE)?.value;
  if (session) await endSession(session);
  jar.delete(SESSION_COOKIE);
  redirect('/signin');
}
