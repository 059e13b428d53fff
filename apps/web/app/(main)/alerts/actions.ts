'use server';
// Alert rule changes through the API's audited mutations; the API validates (and names the field at fault).
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { gql } from '@/lib/api';
import { type AlertRuleInput, CreateAlertRuleDocument, DeleteAlertRuleDocument, type FilterOperator, UpdateAlertRuleDocument } from '@/lib/graphql/operations';

export type RuleFormState = { error: string | null };

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
const optional = (form: FormData, name: string) => text(form, name) || null;
/** One of the schema's values, as the form sent it: the API refuses one it does not know, naming the field. */
const choice = <T extends string>(form: FormData, name: string, fallback = '') => (text(form, name) || fallback) as T;

/** The rule form as the API's AlertRuleInput: one filter row (member, operator, comma-separated values). */
function ruleInput(form: FormData): AlertRuleInput {
  const kind = choice<AlertRuleInput['kind']>(form, 'kind');
  const base = { name: text(form, 'name'), kind, enabled: form.get('enabled') === 'on', channelIds: form.getAll('channelIds').map(String) };
  if (kind === 'anomaly') {
    return { ...base, anomaly: { minImpact: text(form, 'minImpact'), anomalyKind: optional(form, 'anomalyKind'), peerValue: optional(form, 'peerValue'), likelyCause: optional(form, 'likelyCause') } };
  }
  const member = text(form, 'filterMember');
  const filters = member ? [{ member, operator: choice<FilterOperator>(form, 'filterOperator', 'equals'), values: text(form, 'filterValues').split(',').map((v) => v.trim()).filter(Boolean) }] : [];
  return {
    ...base,
    metric: { measure: text(form, 'measure'), dimension: optional(form, 'dimension'), filters, window: choice(form, 'window'), comparison: choice(form, 'comparison'), threshold: text(form, 'threshold') },
  };
}

export async function saveRule(_prev: RuleFormState, form: FormData): Promise<RuleFormState> {
  const id = text(form, 'id');
  const input = ruleInput(form);
  const res = id
    ? await gql(UpdateAlertRuleDocument, { id, i: input })
    : await gql(CreateAlertRuleDocument, { i: input });
  if (!res.ok) return { error: res.errors.map((e) => e.message).join('; ') };
  revalidatePath('/alerts');
  redirect('/alerts');
}

export async function deleteRule(form: FormData) {
  const res = await gql(DeleteAlertRuleDocument, { id: text(form, 'id') });
  if (!res.ok) throw new Error(res.errors.map((e) => e.message).join('; '));
  revalidatePath('/alerts');
}
