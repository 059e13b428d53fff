// Reads an export file record by record, maps each to a usage event (or a reason it is skipped),
// sends the events in batches and keeps the books: the file's own totals (rows, tokens, cost, as the
// file states them) against what was imported plus what was skipped. Nothing is held in memory but
// one batch, so a file of any size streams through.
import { Decimal } from 'decimal.js';
import { type UsageEventInput, conventionFor, usageEventInputSchema } from '@spendgraph/schema';
import { type TransportOptions, postEvents } from '@spendgraph/sdk';
import { ccusageRecords, ccusageReport, ccusageTotals } from './ccusage.ts';
import type { Mapped, Outcome, RawRecord } from './fields.ts';
import { heliconeRecord } from './helicone.ts';
import { langfuseRecord } from './langfuse.ts';
import { litellmRecord } from './litellm.ts';
import { type Shape, openRecords } from './read-records.ts';

export const FORMATS = ['langfuse', 'helicone', 'litellm', 'ccusage'] as const;
export type Format = (typeof FORMATS)[number];
type MapOptions = { provider?: string };

const MAPPERS: Record<Format, (r: RawRecord, o: MapOptions) => Outcome[]> = {
  langfuse: (r, o) => [langfuseRecord(r, o)],
  helicone: (r, o) => [heliconeRecord(r, o)],
  litellm: (r, o) => [litellmRecord(r, o)],
  ccusage: ccusageRecords,
};

/** Which tool wrote a record, from the fields only that tool writes. */
export function detectFormat(r: RawRecord): Format | undefined {
  if (ccusageReport(r)) return 'ccusage';
  if ('traceId' in r || 'calculatedTotalCost' in r || 'usageDetails' in r) return 'langfuse';
  if ('spend' in r && ('request_id' in r || 'call_type' in r)) return 'litellm';
  if ('request_created_at' in r || 'response_created_at' in r) return 'helicone';
  return undefined;
}

export interface Totals { rows: number; tokens: number; cost: string }
export interface ImportSummary {
  format: Format;
  shape: Shape;
  /** What the file says: the sum of its rows' figures (ccusage: its `totals`). */
  file: Totals;
  imported: Totals;
  skipped: Totals & { reasons: Record<string, number> };
  /** imported + skipped = file, for rows, tokens and cost. */
  balanced: boolean;
  /** Events the API accepted (0 on a dry run); stored once each whatever the number of imports. */
  sent: number;
}

class Tally {
  rows = 0;
  tokens = 0;
  cost = new Decimal(0);
  add(tokens: number, cost: string | number) {
    this.rows++;
    this.tokens += tokens;
    this.cost = this.cost.plus(cost);
  }
  totals = (): Totals => ({ rows: this.rows, tokens: this.tokens, cost: this.cost.toFixed() });
}

/** An event's tokens as its convention counts them (OpenAI's input includes cache reads, its output reasoning). */
export function eventTokens(e: UsageEventInput): number {
  const u = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0, ...e.usage };
  const c = conventionFor(u as any, e.provider);
  if (c === 'openai') return u.input_tokens + u.output_tokens;
  if (c === 'google') return u.input_tokens + u.output_tokens + u.reasoning_tokens;
  return Object.entries(u).reduce((n, [k, v]) => n + (k.endsWith('_tokens') ? (v as number) : 0), 0);
}

/** Checked here as the API checks it, so one bad row is reported and skipped instead of refusing its batch. */
function invalidReason(e: UsageEventInput): string | undefined {
  const parsed = usageEventInputSchema.safeParse(e);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  return `invalid ${issue.path.join('.') || 'event'}: ${issue.message}`;
}

export interface ImportOptions {
  path: string;
  format?: Format;
  provider?: string;
  /** Where to send; absent: a dry run (mapped and reconciled, nothing sent). */
  transport?: TransportOptions;
  batchSize?: number;
  onPlan?: (bytes: number) => void;
  onBytes?: (bytes: number) => void;
}

export class ImportError extends Error {}

export async function importFile(o: ImportOptions): Promise<ImportSummary> {
  const source = await openRecords(o.path);
  o.onPlan?.(source.bytes);
  const file = new Tally();
  const imported = new Tally();
  const skipped = new Tally();
  const reasons: Record<string, number> = {};
  let format = o.format;
  let stated: { tokens: number; cost: string } | undefined;
  let batch: UsageEventInput[] = [];
  let sent = 0;
  const flush = async () => {
    if (batch.length && o.transport) sent += (await postEvents(o.transport, batch)).length;
    batch = [];
  };
  for await (const record of source.records((n) => o.onBytes?.(n))) {
    format ??= detectFormat(record);
    if (!format) throw new ImportError(`cannot tell which tool wrote ${o.path}: give --format (${FORMATS.join(', ')})`);
    if (format === 'ccusage') stated = ccusageTotals(record);
    const outcomes: Outcome[] = typeof record.__unreadable === 'string'
      ? [{ skip: 'unreadable record', fileTokens: 0, fileCost: '0' }] : MAPPERS[format](record, o);
    for (const out of outcomes) {
      file.add(out.fileTokens, out.fileCost);
      const reason = 'skip' in out ? out.skip : invalidReason(out.event);
      if (reason !== undefined) {
        skipped.add(out.fileTokens, out.fileCost);
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        continue;
      }
      const { event } = out as Mapped;
      imported.add(eventTokens(event), event.cost ?? '0');
      batch.push(event);
      if (batch.length >= (o.batchSize ?? 1000)) await flush();
    }
  }
  await flush();
  if (!format) throw new ImportError(`${o.path} holds no records`);
  const fileTotals = { ...file.totals(), ...(stated ? { tokens: stated.tokens, cost: new Decimal(stated.cost).toFixed() } : {}) };
  const sum = { rows: imported.rows + skipped.rows, tokens: imported.tokens + skipped.tokens, cost: imported.cost.plus(skipped.cost) };
  const balanced = sum.rows === fileTotals.rows && sum.tokens === fileTotals.tokens && sum.cost.equals(fileTotals.cost);
  return { format, shape: source.shape, file: fileTotals, imported: imported.totals(), skipped: { ...skipped.totals(), reasons }, balanced, sent };
}
