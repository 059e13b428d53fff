'use server';
// Triage of one anomaly through the API's audited mutations (who and when are the API's).
import { revalidatePath } from 'next/cache';
import { gql } from '@/lib/api';

const COMMANDS = ['acknowledgeAnomaly', 'dismissAnomaly', 'reopenAnomaly'] as const;

export async function triageAnomaly(form: FormData) {
  const command = String(form.get('command'));
  if (!COMMANDS.includes(command as (typeof COMMANDS)[number])) return;
  const note = String(form.get('note') ?? '').trim();
  const res = command === 'reopenAnomaly'
    ? await gql('mutation($id: ID!) { reopenAnomaly(id: $id) { id } }', { id: String(form.get('id')) })
    : await gql(`mutation($id: ID!, $note: String) { ${command}(id: $id, note: $note) { id } }`, { id: String(form.get('id')), note: note || null });
  if (!res.ok) throw new Error(res.errors.map((e) => e.message).join('; '));
  revalidatePath('/anomalies');
}
