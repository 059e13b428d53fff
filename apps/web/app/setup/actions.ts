'use server';
// First run: the API creates the first organization, workspace and owner (POST /v1/setup, open
// only while nobody owns anything) and signs the owner in.
import { redirect } from 'next/navigation';
import { type Session, rest } from '@/lib/api';
import { keepSession } from '@/lib/session';

/** The refusal, and what was typed (React empties a form after its action; passwords are not kept). */
export type FormResult = { error: string; field?: string; values: Record<string, string> } | null;

export async function firstRun(_prev: FormResult, form: FormData): Promise<FormResult> {
  const text = (name: string) => String(form.get(name) ?? '').trim();
  const values = { organization: text('organization'), workspace: text('workspace'), name: text('name'), email: text('email') };
  if (String(form.get('password') ?? '') !== String(form.get('confirm') ?? '')) return { error: 'The two passwords differ.', field: 'confirm', values };
  const res = await rest<Session>('POST', '/v1/setup', {
    body: { organization: text('organization'), workspace: text('workspace'), name: text('name') || undefined, email: text('email'), password: String(form.get('password') ?? '') },
  });
  if (!res.ok) {
    if (res.status === 409) redirect('/signin');
    return { error: res.message, field: res.field, values };
  }
  await keepSession(res.data);
  redirect('/onboarding');
}
