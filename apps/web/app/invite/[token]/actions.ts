'use server';
// Accepting an invitation (POST /v1/invitations/accept): a new account for the invited e-mail
// (name and password chosen here), or the existing account's password; then signed in.
import { redirect } from 'next/navigation';
import { type Session, rest } from '@/lib/api';
import { keepSession } from '@/lib/session';

/** A refusal, and the name typed (React empties a form after its action). */
export type Refusal = { error: string; name: string } | null;

export async function acceptInvitation(_prev: Refusal, form: FormData): Promise<Refusal> {
  const password = String(form.get('password') ?? '');
  const name = String(form.get('name') ?? '').trim();
  if (form.has('confirm') && password !== String(form.get('confirm'))) return { error: 'The two passwords differ.', name };
  const res = await rest<Session>('POST', '/v1/invitations/accept', { body: { token: String(form.get('token') ?? ''), password, ...(name ? { name } : {}) } });
  if (!res.ok) return { error: res.status === 401 ? 'Wrong password for the existing account of this e-mail.' : res.message, name };
  await keepSession(res.data);
  redirect('/');
}
