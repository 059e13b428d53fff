'use server';
// The organization's SSO connection through the API's mutations (apps/api/src/sso/settings.ts
// checks the input, authz.ts who may, and each change is audited); these carry the form.
import { revalidatePath } from 'next/cache';
import { gql } from '@/lib/api';
import { DeleteSsoConnectionDocument, SetSsoConnectionDocument, type Role } from '@/lib/graphql/operations';

/** What was typed, kept for the form after a refusal (React empties a form after its action); never the secret. */
export interface SsoValues { issuer: string; clientId: string; domains: string; defaultRole: string; workspaceIds: string[]; enabled: boolean }

/** The answer: a refusal naming its field, or a note; `round` remounts the form with `values`. */
export type SsoShown = { round: number; error: string | null; field?: string; note?: string; values?: SsoValues };

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

function valuesOf(form: FormData): SsoValues {
  return {
    issuer: text(form, 'issuer'), clientId: text(form, 'clientId'), domains: text(form, 'domains'), defaultRole: text(form, 'defaultRole'),
    workspaceIds: form.getAll('workspaceIds').map(String), enabled: form.get('enabled') === 'on',
  };
}

/** Empty: the stored secret stays (left out). "Remove" ticked: none, a public client (null). */
function secretOf(form: FormData) {
  if (form.get('removeSecret') === 'on') return null;
  return text(form, 'clientSecret') || undefined;
}

export async function saveSso(prev: SsoShown, form: FormData): Promise<SsoShown> {
  const values = valuesOf(form);
  const input = { ...values, defaultRole: values.defaultRole as Role, domains: values.domains.split(/[\s,]+/).filter(Boolean), clientSecret: secretOf(form) };
  const res = await gql(SetSsoConnectionDocument, { input });
  const round = prev.round + 1;
  if (!res.ok) return { round, values, error: res.errors.map((e) => e.message).join('; '), field: res.errors[0]?.field?.split('.')[1] };
  revalidatePath('/settings/sso');
  return { round, values, error: null, note: 'Saved.' };
}

export async function removeSso(prev: SsoShown): Promise<SsoShown> {
  const res = await gql(DeleteSsoConnectionDocument);
  if (!res.ok) return { round: prev.round + 1, error: res.errors.map((e) => e.message).join('; ') };
  revalidatePath('/settings/sso');
  return { round: prev.round + 1, error: null, note: 'Removed: nobody signs in with SSO here any more; the people it made keep their accounts and memberships.' };
}
