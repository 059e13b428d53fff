'use server';
// A provider's bill uploaded from the reconciliation page: the file goes to POST /v1/bills/{source}
// as it is (the API parses it, authz.ts decides who may, the import is audited there).
import { revalidatePath } from 'next/cache';
import { rest, signedInKey } from '@/lib/api';
import { BILL_SOURCES } from '@/lib/bills';

/** The answer: a refusal naming the line and field, or what was imported; `round` remounts the form. */
export type UploadShown = { round: number; error: string | null; field?: string; line?: number; note?: string };

interface Imported { import: { lines: number; firstDay: string; lastDay: string; total: string; replaced: number } }

export async function uploadBill(prev: UploadShown, form: FormData): Promise<UploadShown> {
  const round = prev.round + 1;
  const source = String(form.get('source') ?? '');
  const file = form.get('file');
  if (!(BILL_SOURCES as readonly string[]).includes(source)) return { round, error: `source: choose one of ${BILL_SOURCES.join(', ')}`, field: 'source' };
  if (!(file instanceof File) || file.size === 0) return { round, error: 'file: choose a bill file', field: 'file' };
  const type = source === 'openai' || source === 'anthropic' ? 'application/json' : 'text/csv';
  const res = await rest<Imported>('POST', `/v1/bills/${source}`, { file: { text: await file.text(), type }, credential: await signedInKey() });
  if (!res.ok) return { round, error: res.message, field: res.field, line: res.line };
  revalidatePath('/reconciliation');
  const i = res.data.import;
  return { round, error: null, note: `Imported ${i.lines} lines for ${i.firstDay} to ${i.lastDay} (total ${i.total}); ${i.replaced} earlier lines of those days replaced.` };
}
