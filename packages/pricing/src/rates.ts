// A price is a set of $/M-token rates, one per disjoint token partition.
import { z } from 'zod';
import { TOKEN_TYPES } from '@spendgraph/schema';

/** Decimal string, e.g. "3" or "0.075": rates are exact, never floats. */
const rate = z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal string such as "3" or "0.075"');
export const ratesSchema = z.partialRecord(z.enum(TOKEN_TYPES), rate);
export type Rates = z.infer<typeof ratesSchema>;

/** Negotiated or corrected rates: from the repo's price file or a workspace. */
export const priceOverrideSchema = z.strictObject({
  provider: z.string().min(1).transform((p) => p.toLowerCase()),
  /** Case-insensitive regular expression matched against the model name. */
  model_pattern: z.string().min(1).refine((p) => {
    try { new RegExp(p, 'i'); return true; } catch { return false; }
  }, 'must be a valid regular expression'),
  rates: ratesSchema.refine((r) => Object.keys(r).length > 0, 'must name at least one token type'),
  effective_from: z.iso.datetime({ offset: true }).or(z.iso.date()),
  currency: z.string().regex(/^[A-Z]{3}$/).default('USD'),
  note: z.string().optional(),
});
export type PriceOverride = z.input<typeof priceOverrideSchema>;
export type ParsedPriceOverride = z.output<typeof priceOverrideSchema>;
