'use server';
// First run: the API creates the first organization, workspace and owner (POST /v1/setup, open
// only while nobody owns anything) and signs the owner in.
import { redirect } from 'next/navigation';
import { type Session, rest } from '@/lib/api';
import { keepSession } from '@/lib/session';

export type FormResult = { error: string; field?: string } | null;

export async function firstRun(_prev: FormResult, form: FormData): Promise<FormResult> {
  const text = (name: string) => String(form.get(name) ?? '').trim();
  if (String(form.get('password') ?? '') !== String(form.get('confirm') ?? '')) return { error: 'The two passwords differ.', field: 'confirm' };
  const res = await rest<Session>('POST', '/v1/setup', {
    body: { organization: text('organization'), workspace: text('workspace'), name: text('name') || undefined, email: text('email'), password: String(form.get('password') ?? '') },
  });
  if (!res.ok) {
    if (res.status === 409) redirect('/signin');
    return { error: res.message, field: res.field };
  }
  await keepSession(res.data);
  redirect('/onboarding');
}
