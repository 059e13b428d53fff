'use server';
// Accepting an invitation (POST /v1/invitations/accept): a new account for the invited e-mail
// (name and password chosen here), or the existing account's password; then signed in.
import { redirect } from 'next/navigation';
import { type Session, rest } from '@/lib/api';
import { keepSession } from '@/lib/session';

export async function acceptInvitation(_prev: string | null, form: FormData): Promise<string | null> {
  const password = String(form.get('password') ?? '');
  if (form.has('confirm') && password !== String(form.get('confirm'))) return 'The two passwords differ.';
  const name = String(form.get('name') ?? '').trim();
  const res = await rest<Session>('POST', '/v1/invitations/accept', { body: { token: String(form.get('token') ?? ''), password, ...(name ? { name } : {}) } });
  if (!res.ok) return res.status === 401 ? 'Wrong password for the existing account of this e-mail.' : res.message;
  await keepSession(res.data);
  redirect('/');
}
