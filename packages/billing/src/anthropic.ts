// Anthropic's Admin API cost report (GET /v1/organizations/cost_report): pages of daily
// buckets (`data`), each with `results` whose `amount` is a decimal string in the currency's
// lowest unit (cents: "123.45" USD is $1.2345), with `model` and `workspace_id` when grouped.
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { type BillLine, type ParsedBill, decimal, utcDay } from './line.ts';
import { pagedBill, pagesOf, parseExactJson } from './json.ts';

const instant = z.string().refine((v) => utcDay(v) !== undefined, 'is not an RFC 3339 time');
const resultSchema = z.object({
  amount: z.string().refine((v) => decimal(v) !== undefined, 'is not a decimal string'),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'is not an ISO 4217 code').default('USD'),
  model: z.string().nullish(),
  workspace_id: z.string().nullish(),
  description: z.string().nullish(),
  cost_type: z.string().nullish(),
  token_type: z.string().nullish(),
});
const bucketSchema = z.object({ starting_at: instant, ending_at: instant, results: z.array(resultSchema) })
  .refine((b) => Date.parse(b.ending_at) - Date.parse(b.starting_at) === 86_400_000 && b.starting_at.includes('T00:00:00'), 'is not a UTC day (bucket_width=1d)');
export const anthropicCostPageSchema = z.object({
  data: z.array(bucketSchema),
  has_more: z.boolean().optional(),
  next_page: z.string().nullish(),
});
export type AnthropicCostPage = z.infer<typeof anthropicCostPageSchema>;

const cents = (amount: string) => new Decimal(amount).dividedBy(100).toFixed();

function linesOf(page: AnthropicCostPage): { lines: BillLine[]; days: string[] } {
  const days = page.data.map((b) => utcDay(b.starting_at)!);
  const lines = page.data.flatMap((b, i) => b.results.map((r) => ({
    day: days[i]!, provider: 'anthropic', model: r.model ?? null, account: r.workspace_id ?? null,
    lineItem: r.description ?? r.cost_type ?? null, currency: r.currency.toUpperCase(), amount: cents(r.amount),
  })));
  return { lines, days };
}

/** Pages as read from the API (numbers exact). */
export const anthropicLines = pagedBill(anthropicCostPageSchema, linesOf);

export const parseAnthropicCostReport = (text: string): ParsedBill => anthropicLines(pagesOf(parseExactJson(text)));
