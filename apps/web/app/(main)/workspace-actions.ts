'use server';
// The header's workspace switcher: the API gives the session a new id acting in the chosen
// workspace (PUT /v1/sessions/current/workspace); the old id ends.
import { redirect } from 'next/navigation';
import { type Session, rest } from '@/lib/api';
import { currentSession, keepSession } from '@/lib/session';

export async function switchWorkspace(form: FormData) {
  const res = await rest<Session>('PUT', '/v1/sessions/current/workspace', { credential: await currentSession(), body: { workspace: String(form.get('workspace') ?? '') } });
  if (!res.ok) throw new Error(res.message);
  await keepSession(res.data);
  redirect('/');
}
