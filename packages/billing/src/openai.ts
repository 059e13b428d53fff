// OpenAI's organization Costs API (GET /v1/organization/costs): pages of daily buckets, each
// with `results` of { amount: { value, currency }, line_item, project_id }. Line items
// (group_by=line_item) name the model first, e.g. `gpt-4o-2024-08-06, input`.
import { z } from 'zod';
import { type BillLine, type ParsedBill, decimal } from './line.ts';
import { pagedBill, pagesOf, parseExactJson } from './json.ts';

const money = z.string().refine((v) => decimal(v) !== undefined, 'is not a number');
const DAY = 86_400;

const resultSchema = z.object({
  amount: z.object({ value: money, currency: z.string().regex(/^[A-Za-z]{3}$/, 'is not an ISO 4217 code') }).nullish(),
  line_item: z.string().nullish(),
  project_id: z.string().nullish(),
});
const bucketSchema = z.object({
  start_time: z.string().regex(/^\d+$/, 'is not Unix seconds'),
  end_time: z.string().regex(/^\d+$/, 'is not Unix seconds'),
  results: z.array(resultSchema),
}).refine((b) => Number(b.start_time) % DAY === 0 && Number(b.end_time) - Number(b.start_time) === DAY, 'is not a UTC day (bucket_width=1d)');
export const openAiCostsPageSchema = z.object({
  data: z.array(bucketSchema),
  has_more: z.boolean().optional(),
  next_page: z.string().nullish(),
});
export type OpenAiCostsPage = z.infer<typeof openAiCostsPageSchema>;

/** The model a line item names, if it starts with one (`gpt-4o-mini-2024-07-18, cached input`). */
export function modelOfLineItem(item: string | null | undefined): string | null {
  return item?.match(/^([a-z0-9][a-z0-9.:_-]*), /i)?.[1] ?? null;
}

function linesOf(page: OpenAiCostsPage): { lines: BillLine[]; days: string[] } {
  const days = page.data.map((b) => new Date(Number(b.start_time) * 1000).toISOString().slice(0, 10));
  const lines = page.data.flatMap((b, i) => b.results.filter((r) => r.amount).map((r) => ({
    day: days[i]!, provider: 'openai', model: modelOfLineItem(r.line_item), account: r.project_id ?? null,
    lineItem: r.line_item ?? null, currency: r.amount!.currency.toUpperCase(), amount: decimal(r.amount!.value)!,
  })));
  return { lines, days };
}

/** Pages as read from the API (numbers exact). */
export const openAiLines = pagedBill(openAiCostsPageSchema, linesOf);

/** An uploaded file: one page, or an array of pages. */
export const parseOpenAiCosts = (text: string): ParsedBill => openAiLines(pagesOf(parseExactJson(text)));
