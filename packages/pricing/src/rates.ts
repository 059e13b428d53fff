// A price is a set of $/M-token rates, one per disjoint token partition.
import { z } from 'zod';
import { SERVICE_TIERS, TOKEN_TYPES } from '@spendgraph/schema';

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
  rates: ratesSchema.refine((r) => Object.keys(r).length > 0, 'must name at least one token type').optional(),
  effective_from: z.iso.datetime({ offset: true }).or(z.iso.date()),
  currency: z.string().regex(/^[A-Z]{3}$/).default('USD'),
  note: z.string().optional(),
  /**
   * The entry prices calls billed at this tier only (batch, flex, priority, scale); absent: the
   * standard tier. A tier entry gives `factor` (× the standard rates: batch is "0.5"), `rates`, or both
   * (the rates it names win).
   */
  service_tier: z.enum(SERVICE_TIERS).exclude(['standard']).optional(),
  factor: rate.optional(),
}).superRefine((o, ctx) => {
  if (o.service_tier === undefined && o.rates === undefined) ctx.addIssue({ code: 'custom', path: ['rates'], message: 'is required' });
  if (o.service_tier === undefined && o.factor !== undefined) ctx.addIssue({ code: 'custom', path: ['factor'], message: 'applies to a service_tier entry only' });
  if (o.service_tier !== undefined && o.rates === undefined && o.factor === undefined) ctx.addIssue({ code: 'custom', path: ['factor'], message: 'a service_tier entry needs factor or rates' });
});
export type PriceOverride = z.input<typeof priceOverrideSchema>;
export type ParsedPriceOverride = z.output<typeof priceOverrideSchema>;
