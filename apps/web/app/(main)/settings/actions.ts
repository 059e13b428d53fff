'use server';
// Settings changes through the API's mutations. The API decides who may (apps/api/src/authz.ts)
// and records each change in the audit log; these only carry the form and show its answer.
import { revalidatePath } from 'next/cache';
import { type ApiResult, gql } from '@/lib/api';
import {
  ChangeMemberRoleDocument, CreateApiKeyDocument, InviteMemberDocument, RemoveMemberDocument, RevokeApiKeyDocument, RevokeInvitationDocument,
  RotateApiKeyDocument, SetRawRetentionDocument, UpdateWorkspaceDocument, type ApiKeyScope, type Role,
} from '@/lib/graphql/operations';

export type Shown = { error: string | null; secret?: string; note?: string };

const errorText = (errors: Array<{ message: string }>) => errors.map((e) => e.message).join('; ');
const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

export async function saveWorkspace(_prev: Shown, form: FormData): Promise<Shown> {
  const input = { name: text(form, 'name'), timeZone: text(form, 'timeZone'), currency: text(form, 'currency').toUpperCase() };
  const res = await gql(UpdateWorkspaceDocument, { input });
  if (!res.ok) return { error: errorText(res.errors) };
  // Retention is its own (audited) change: made only when it changed.
  const days = text(form, 'retentionDays');
  if (days !== text(form, 'retentionBefore')) {
    const kept = await gql(SetRawRetentionDocument, { days: days === '' ? null : Number(days) });
    if (!kept.ok) return { error: errorText(kept.errors) };
  }
  revalidatePath('/', 'layout');
  return { error: null, note: 'Saved.' };
}

export async function inviteMember(_prev: Shown, form: FormData): Promise<Shown> {
  const res = await gql(InviteMemberDocument,
    { e: text(form, 'email'), r: text(form, 'role') as Role, h: Number(text(form, 'expiresInHours') || 72) });
  if (!res.ok) return { error: errorText(res.errors) };
  revalidatePath('/settings/members');
  return { error: null, secret: res.data.inviteMember.token };
}

/** One-click changes: revoke an invitation, change a role, remove a member, revoke a key; a refusal is shown beside the button. */
export async function settingsCommand(_prev: Shown, form: FormData): Promise<Shown> {
  const command = text(form, 'command');
  const id = text(form, 'id');
  // Each command its own typed mutation; the API checks the role a form sends.
  const calls: Record<string, () => Promise<ApiResult<unknown>>> = {
    revokeInvitation: () => gql(RevokeInvitationDocument, { id }),
    changeMemberRole: () => gql(ChangeMemberRoleDocument, { id, r: text(form, 'role') as Role }),
    removeMember: () => gql(RemoveMemberDocument, { id }),
    revokeApiKey: () => gql(RevokeApiKeyDocument, { id }),
  };
  if (!Object.hasOwn(calls, command)) return { error: `unknown command ${command}` };
  const res = await calls[command]!();
  if (!res.ok) return { error: errorText(res.errors) };
  revalidatePath('/settings', 'layout');
  return { error: null };
}

export async function createKey(_prev: Shown, form: FormData): Promise<Shown> {
  const expires = text(form, 'expiresAt');
  const dimension = text(form, 'restrictDimension');
  const input = {
    name: text(form, 'name'),
    scopes: form.getAll('scopes').map(String) as ApiKeyScope[],
    expiresAt: expires ? new Date(`${expires}T23:59:59Z`).toISOString() : null,
    restriction: dimension ? [{ dimension, value: text(form, 'restrictValue') }] : null,
  };
  const res = await gql(CreateApiKeyDocument, { input });
  if (!res.ok) return { error: errorText(res.errors) };
  revalidatePath('/settings/keys');
  return { error: null, secret: res.data.createApiKey.key };
}

export async function rotateKey(_prev: Shown, form: FormData): Promise<Shown> {
  const res = await gql(RotateApiKeyDocument,
    { id: text(form, 'id'), h: Number(text(form, 'overlapHours') || 24) });
  if (!res.ok) return { error: errorText(res.errors) };
  revalidatePath('/settings/keys');
  return { error: null, secret: res.data.rotateApiKey.key, note: `The old key works for ${text(form, 'overlapHours') || 24} more hours.` };
}
