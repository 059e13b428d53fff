'use server';
// Triage of one anomaly through the API's audited mutations (who and when are the API's).
import { revalidatePath } from 'next/cache';
import { gql } from '@/lib/api';
import { AcknowledgeAnomalyDocument, DismissAnomalyDocument, ReopenAnomalyDocument } from '@/lib/graphql/operations';

const COMMANDS = ['acknowledgeAnomaly', 'dismissAnomaly', 'reopenAnomaly'] as const;

export async function triageAnomaly(form: FormData) {
  const command = String(form.get('command'));
  if (!COMMANDS.includes(command as (typeof COMMANDS)[number])) return;
  const id = String(form.get('id'));
  const note = String(form.get('note') ?? '').trim();
  const res = command === 'reopenAnomaly' ? await gql(ReopenAnomalyDocument, { id })
    : command === 'acknowledgeAnomaly' ? await gql(AcknowledgeAnomalyDocument, { id, note: note || null })
    : await gql(DismissAnomalyDocument, { id, note: note || null });
  if (!res.ok) throw new Error(res.errors.map((e) => e.message).join('; '));
  revalidatePath('/anomalies');
}
