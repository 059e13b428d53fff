// Revenue inputs (issue 17, margin): a JSON array of entries, a CSV file with the same columns,
// or a Stripe-shaped `invoice.paid` event (one entry per invoice line). Money stays exact; every
// error is a BillParseError naming the field (and the CSV line).
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { type RevenueEntry, isCurrencyCode } from '@spendgraph/schema';
import { currency as csvCurrency, day as csvDay, money as csvMoney, readCsv, required } from './csv.ts';
import { BillParseError, DECIMAL, decimal } from './line.ts';
import { parseExactJson, readJson } from './json.ts';

export const MAX_REVENUE_ENTRIES = 10_000;

/** A real calendar day (Date.parse takes 2026-11-31 for 2026-12-01). */
const isDay = (d: string) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);

const text = z.string().trim().min(1).max(200);
/** One revenue entry as POST /v1/revenue takes it (the OpenAPI document describes it with this schema). */
export const revenueEntrySchema = z.object({
  id: text,
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a UTC day (YYYY-MM-DD)').refine(isDay, 'is not a date'),
  customer_id: text.nullish(),
  feature: text.nullish(),
  plan_id: text.nullish(),
  amount: z.string().regex(DECIMAL, 'must be a decimal string'),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code').refine((c) => isCurrencyCode(c.toUpperCase()), 'is not an ISO 4217 currency code').default('USD'),
}).strict();

const entryOf = (e: z.infer<typeof revenueEntrySchema>): RevenueEntry => ({
  id: e.id, day: e.day, customerId: e.customer_id ?? null, feature: e.feature ?? null, planId: e.plan_id ?? null,
  amount: decimal(e.amount)!, currency: e.currency.toUpperCase(),
});

function checkCount(n: number) {
  if (n === 0) throw new BillParseError('body', 'holds no revenue entries');
  if (n > MAX_REVENUE_ENTRIES) throw new BillParseError('body', `holds ${n} entries; at most ${MAX_REVENUE_ENTRIES} per request`);
}

/** `[{ id, day, customer_id?, feature?, plan_id?, amount, currency? }]` (amounts as decimal strings or numbers, read exactly). */
export function parseRevenueJson(body: string): RevenueEntry[] {
  const value = parseExactJson(body);
  const entries = readJson(z.array(revenueEntrySchema), value);
  checkCount(entries.length);
  return entries.map(entryOf);
}

/** CSV with a header: id, day, amount, and optionally customer_id, feature, plan_id, currency. */
export function parseRevenueCsv(body: string): RevenueEntry[] {
  const { rows } = readCsv(body, [['id'], ['day'], ['amount']]);
  checkCount(rows.length);
  return rows.map((row) => ({
    id: required(row, 'id'), day: csvDay(row, 'day'), customerId: row.get('customer_id') ?? null, feature: row.get('feature') ?? null,
    planId: row.get('plan_id') ?? null, amount: csvMoney(row, 'amount'), currency: row.get('currency') === undefined ? 'USD' : csvCurrency(row, 'currency'),
  }));
}

// Stripe amounts are in the currency's minor unit; these have none (stripe.com/docs/currencies).
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const metadata = z.record(z.string(), z.string()).nullish();
const stripeEvent = z.object({
  id: z.string(),
  type: z.string(),
  data: z.object({
    object: z.object({
      id: z.string(),
      customer: z.string().nullish(),
      currency: z.string().regex(/^[a-z]{3}$/i),
      metadata,
      status_transitions: z.object({ paid_at: z.string().regex(/^\d+$/).nullish() }).nullish(),
      created: z.string().regex(/^\d+$/),
      lines: z.object({ data: z.array(z.object({ id: z.string(), amount: z.string().regex(/^-?\d+$/), metadata })) }),
    }),
  }),
});

/**
 * A Stripe `invoice.paid` event: one entry per invoice line, on the UTC day it was paid, for the
 * customer the invoice's metadata.customer_id names (else Stripe's customer id), the feature and
 * plan its line's metadata name. Other event types carry no revenue: null.
 */
export function parseStripeInvoiceEvent(body: string): RevenueEntry[] | null {
  const event = readJson(stripeEvent, parseExactJson(body));
  if (event.type !== 'invoice.paid') return null;
  const invoice = event.data.object;
  const code = invoice.currency.toUpperCase();
  const exponent = ZERO_DECIMAL.has(code) ? 0 : 2;
  const at = Number(invoice.status_transitions?.paid_at ?? invoice.created) * 1000;
  const day = new Date(at).toISOString().slice(0, 10);
  return invoice.lines.data.map((line) => ({
    id: `stripe:${invoice.id}:${line.id}`, day, customerId: invoice.metadata?.customer_id ?? invoice.customer ?? null,
    feature: line.metadata?.feature ?? null, planId: line.metadata?.plan_id ?? null,
    amount: new Decimal(line.amount).dividedBy(10 ** exponent).toFixed(), currency: code,
  }));
}
