'use server';
// Cost pools from a FOCUS file, uploaded on the profitability page: the file goes to
// POST /v1/cost-pools/focus as it is, with the column that names the pools and the rule of the
// pools it creates (the API parses it, authz.ts decides who may, the import is audited there).
import { revalidatePath } from 'next/cache';
import { rest, signedInKey } from '@/lib/api';

/** The answer: a refusal naming the line and column (or parameter), or what was imported; `round` remounts the form. */
export type PoolsShown = { round: number; error: string | null; field?: string; line?: number; note?: string };

interface Imported { pools: unknown[]; skipped: unknown[]; lines: number; created: number; updated: number; unchanged: number }

/** `over` is `none` or a dimension; `by` is a measure or `even`. */
function ruleQuery(over: string, by: string): Record<string, string> {
  if (over === 'none') return {};
  return by === 'even' ? { dimension: over, method: 'even' } : { dimension: over, measure: by };
}

export async function uploadPools(prev: PoolsShown, form: FormData): Promise<PoolsShown> {
  const round = prev.round + 1;
  const file = form.get('file');
  if (!(file instanceof File) || file.size === 0) return { round, error: 'file: choose a FOCUS file', field: 'file' };
  const query = new URLSearchParams({ group_by: String(form.get('groupBy') ?? '').trim() || 'ServiceName', ...ruleQuery(String(form.get('over') ?? 'none'), String(form.get('by') ?? 'cost')) });
  const res = await rest<Imported>('POST', `/v1/cost-pools/focus?${query}`, { file: { text: await file.text(), type: 'text/csv' }, credential: await signedInKey() });
  if (!res.ok) return { round, error: res.message, field: res.field, line: res.line };
  revalidatePath('/profitability');
  const i = res.data;
  return { round, error: null, note: `Read ${i.lines} lines: ${i.pools.length} pools (${i.created} new, ${i.updated} updated, ${i.unchanged} unchanged), ${i.skipped.length} skipped (not above zero).` };
}
