'use server';
// Saved views and dashboards through the API's mutations (views:manage; an embed needs embeds:manage).
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { gql } from '@/lib/api';
import {
  CreateDashboardDocument, CreateDashboardEmbedTokenDocument, DeleteDashboardDocument, DeleteViewDocument, PinDashboardDocument, SaveViewDocument,
  type SaveViewInput, UpdateDashboardDocument, UpdateViewDocument,
} from '@/lib/graphql/operations';
import type { TileSize } from '@/lib/views';

type Result<T = object> = ({ ok: true } & T) | { ok: false; error: string };
const failed = (errors: Array<{ message: string }>) => ({ ok: false as const, error: errors.map((e) => e.message).join('; ') });

/** Saves the explorer's state under a name (private unless shared). */
export async function saveView(input: SaveViewInput): Promise<Result<{ id: string }>> {
  const res = await gql(SaveViewDocument, { input });
  if (!res.ok) return failed(res.errors);
  revalidatePath('/views');
  return { ok: true, id: res.data.saveView.id };
}

/** Renames, shares or unshares a view; the API's refusal (e.g. a view on a dashboard made private) is shown by the form. */
export async function renameView(_: { error: string | null }, form: FormData): Promise<{ error: string | null }> {
  const res = await gql(UpdateViewDocument, {
    id: String(form.get('id')), input: { name: String(form.get('name') ?? ''), shared: form.get('shared') === 'on' },
  });
  if (!res.ok) return { error: failed(res.errors).error };
  revalidatePath('/views');
  return { error: null };
}

export async function deleteView(form: FormData) {
  const res = await gql(DeleteViewDocument, { id: String(form.get('id')) });
  if (!res.ok) throw new Error(failed(res.errors).error);
  revalidatePath('/views');
}

/** A new dashboard of the ticked shared views, in the order listed; opens it. */
export async function createDashboard(_: { error: string | null }, form: FormData): Promise<{ error: string | null }> {
  const tiles = form.getAll('viewId').map((viewId) => ({ viewId: String(viewId), size: 'medium' as const }));
  const res = await gql(CreateDashboardDocument, {
    input: { name: String(form.get('name') ?? ''), tiles },
  });
  if (!res.ok) return { error: failed(res.errors).error };
  revalidatePath('/dashboards');
  redirect(`/dashboards/${res.data.createDashboard.id}`);
}

/** The dashboard's name and whole ordered list of tiles (the editor's save). */
export async function saveDashboard(id: string, name: string, tiles: Array<{ viewId: string; size: TileSize }>): Promise<Result> {
  const res = await gql(UpdateDashboardDocument, { id, input: { name, tiles } });
  if (!res.ok) return failed(res.errors);
  revalidatePath(`/dashboards/${id}`);
  revalidatePath('/');
  return { ok: true };
}

export async function pinDashboard(form: FormData) {
  const id = String(form.get('id'));
  const res = await gql(PinDashboardDocument, { id, pinned: form.get('pinned') === 'true' });
  if (!res.ok) throw new Error(failed(res.errors).error);
  revalidatePath(`/dashboards/${id}`);
  revalidatePath('/dashboards');
  revalidatePath('/');
}

export async function deleteDashboard(form: FormData) {
  const res = await gql(DeleteDashboardDocument, { id: String(form.get('id')) });
  if (!res.ok) throw new Error(failed(res.errors).error);
  revalidatePath('/dashboards');
  redirect('/dashboards');
}

/** An embed token for the whole dashboard. */
export async function createDashboardEmbed(id: string, theme: 'light' | 'dark', expiresInHours: number) {
  const res = await gql(CreateDashboardEmbedTokenDocument, { id, theme, hours: expiresInHours });
  return res.ok ? { ok: true as const, ...res.data.createDashboardEmbedToken } : failed(res.errors);
}
