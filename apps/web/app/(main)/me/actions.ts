'use server';
import { revalidatePath } from 'next/cache';
import { gql } from '@/lib/api';
import { SetMyDeveloperIdsDocument } from '@/lib/graphql/operations';

export type IdsState = { error: string | null };

export async function saveDeveloperIds(_prev: IdsState, form: FormData): Promise<IdsState> {
  const ids = String(form.get('ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const res = await gql(SetMyDeveloperIdsDocument, { ids });
  if (!res.ok) return { error: res.errors.map((e) => e.message).join('; ') };
  revalidatePath('/me');
  return { error: null };
}
