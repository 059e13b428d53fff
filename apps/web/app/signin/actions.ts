'use server';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { graphqlWithKey } from '@/lib/api';
import { KEY_COOKIE } from '@/lib/config';

/** Checks the key against the API (it must read the workspace) and keeps it in an httpOnly cookie. */
export async function signIn(_prev: string | null, form: FormData): Promise<string | null> {
  const key = String(form.get('key') ?? '').trim();
  if (!key) return 'Enter a workspace API key.';
  const check = await graphqlWithKey(key, '{ meta { measures { name } } }');
  if (!check.ok) return check.status === 401 ? 'This API key is unknown or revoked.' : check.status === 403 ? 'This key lacks the read scope.' : check.errors[0]!.message;
  const secure = (await headers()).get('x-forwarded-proto') === 'https';
  (await cookies()).set(KEY_COOKIE, key, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 30 * 24 * 3600 });
  const next = String(form.get('next') ?? '/');
  redirect(next.startsWith('/') && !next.startsWith('//') ? next : '/');
}

export async function signOut() {
  (await cookies()).delete(KEY_COOKIE);
  redirect('/signin');
}
