// The wire format of a usage event, shared by the API (validation), the
// worker (pricing and storage) and the SDK (types). Field names are the
// column names of `usage_events`, so there is one vocabulary end to end.
import { now } from '@spendgraph/periods/clock';
import { z } from 'zod';
import { currencyCode } from './currency.ts';
import { EFFORT_LEVELS, effortName } from './effort.ts';
import { USAGE_CONVENTIONS, checkUsageConvention } from './usage-conventions.ts';
import { MAX_WORK_ITEMS, workItemWeight } from './work-item-allocation.ts';
import {
  CONTEXT_FIELDS, type ContextField, RESTRICTABLE_FIELDS, type RestrictableField, SERVICE_TIERS, TOKEN_TYPES, type TokensColumn, serviceTierName, tokensColumn,
} from './vocabulary.ts';

/**
 * The window of `occurred_at` (README): not before 2000-01-01 (a year-0 or 1800 date is a client bug,
 * and Postgres refuses some of them after the 202) and at most 24 hours ahead (clock skew).
 */
export const OCCURRED_AT_MIN = '2000-01-01T00:00:00.000Z';
export const MAX_CLOCK_SKEW_MS = 24 * 3600 * 1000;
const OCCURRED_AT_MIN_MS = Date.parse(OCCURRED_AT_MIN);

export const EVENT_KINDS = ['model_call', 'tool', 'retrieval', 'infra'] as const;
export const EVENT_STATUSES = ['ok', 'error', 'rate_limited', 'timeout', 'cancelled'] as const;

const tokenCount = z.int().min(0).max(1e12);
/**
 * Text Postgres can store as given: no NUL (text and jsonb refuse it) and no lone
 * UTF-16 surrogate (it would be stored as U+FFFD) — accepted, such an event could never be stored.
 */
export const storableText = z.string().refine((s) => s.isWellFormed() && !s.includes('\u0000'), 'must not contain NUL characters or unpaired surrogates');
const label = storableText.trim().min(1).max(200);

/** Exact decimal amount as a string (money is never a float once accepted). */
export const decimalAmount = z
  .union([z.string(), z.number().finite()])
  .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
  .pipe(
    z
      .string()
      .regex(/^\d{1,15}(\.\d{1,18})?$/, 'must be a non-negative decimal with at most 18 decimal places'),
  );

const tokensShape = Object.fromEntries(TOKEN_TYPES.map((t) => [tokensColumn(t), tokenCount.default(0)])) as Record<
  TokensColumn,
  z.ZodDefault<typeof tokenCount>
>;

export const usageSchema = z
  .object({
    ...tokensShape,
    /** How the provider counted; defaults from `provider` (see usage-conventions.ts). */
    convention: z.enum(USAGE_CONVENTIONS).optional(),
  })
  .strict();

const tagValue = z.union([storableText.max(500), z.number().finite(), z.boolean()]);

const contextShape = Object.fromEntries(CONTEXT_FIELDS.map((f) => [f, label.optional()])) as Record<
  ContextField,
  z.ZodOptional<typeof label>
>;

/**
 * A key's restriction as people give it: context fields an event may carry (RESTRICTABLE_FIELDS),
 * one value each, spelled as an event would spell it. Keys with the admin scope cannot be
 * restricted (they could make unrestricted keys): the callers check that with the scopes.
 */
export const keyRestrictionSchema = z
  .array(z.strictObject({
    dimension: z.enum(RESTRICTABLE_FIELDS, { error: `must be one of ${RESTRICTABLE_FIELDS.join(', ')}` }),
    value: label,
  }))
  .max(10)
  .refine((r) => new Set(r.map((x) => x.dimension)).size === r.length, 'names a dimension twice')
  .transform((r) => (r.length ? (Object.fromEntries(r.map((x) => [x.dimension, x.value])) as Partial<Record<RestrictableField, string>>) : null));

export const usageEventInputSchema = z
  .object({
    /** Client-supplied id; when absent one is derived from the content (see event-id.ts). */
    id: z.uuid().transform((id) => id.toLowerCase()).optional(), // one spelling per id: the first stored wins
    occurred_at: z.iso.datetime({ offset: true }),
    kind: z.enum(EVENT_KINDS).default('model_call'),
    provider: label.toLowerCase().optional(),
    model: label.optional(),
    status: z.enum(EVENT_STATUSES).default('ok'),
    latency_ms: z.int().min(0).max(86_400_000).optional(),
    usage: usageSchema.optional(),
    /** The tier the provider billed the call at (`batch`, `flex`, `priority`...); absent: not known, priced as standard. */
    service_tier: z.string().transform(serviceTierName).pipe(z.enum(SERVICE_TIERS, { error: `must be one of ${SERVICE_TIERS.join(', ')} (or default, auto)` })).optional(),
    /** The reasoning effort the call was made at (`low`, `medium`, `high`...; effort.ts maps the sources' names); absent: not known. */
    effort: z.string().transform(effortName).pipe(z.enum(EFFORT_LEVELS, { error: `must be one of ${EFFORT_LEVELS.join(', ')}` })).optional(),
    /** A cost the caller already knows (non-token work, or a provider-reported cost). */
    cost: decimalAmount.optional(),
    currency: currencyCode.default('USD'),
    source: storableText.trim().min(1).max(50).default('api'),
    ...contextShape,
    /**
     * A call done for several work items: their ids, each with an optional weight (`share`,
     * default 1; normalised to exact shares adding up to 1). Still one call: one event.
     */
    work_items: z
      .array(z.union([label, z.strictObject({ id: label, share: workItemWeight.default('1') })]))
      .min(1)
      .max(MAX_WORK_ITEMS)
      .optional(),
    tags: z
      .record(storableText.min(1).max(100), tagValue)
      .refine((t) => Object.keys(t).length <= 50, 'at most 50 tags')
      .default({}),
  })
  .strict()
  .superRefine((e, ctx) => {
    const at = Date.parse(e.occurred_at);
    if (at < OCCURRED_AT_MIN_MS) ctx.addIssue({ code: 'custom', path: ['occurred_at'], message: `is before ${OCCURRED_AT_MIN}` });
    if (at > now().getTime() + MAX_CLOCK_SKEW_MS) ctx.addIssue({ code: 'custom', path: ['occurred_at'], message: 'is more than 24 hours in the future' });
    if (e.usage) checkUsageConvention(e.usage, e.provider, ctx);
    if (e.work_items) checkWorkItems(e.work_items, e.work_item, ctx);
    if (e.kind === 'model_call') {
      if (!e.provider) ctx.addIssue({ code: 'custom', path: ['provider'], message: 'required for kind model_call' });
      if (!e.model) ctx.addIssue({ code: 'custom', path: ['model'], message: 'required for kind model_call' });
    } else if (e.cost === undefined) {
      ctx.addIssue({ code: 'custom', path: ['cost'], message: `required for kind ${e.kind} (non-token work carries a direct cost)` });
    }
  });

function checkWorkItems(items: Array<string | { id: string }>, single: string | undefined, ctx: z.RefinementCtx) {
  if (single !== undefined) ctx.addIssue({ code: 'custom', path: ['work_items'], message: 'give work_item or work_items, not both' });
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const id = typeof item === 'string' ? item : item.id;
    if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['work_items', i], message: `names ${id} a second time` });
    seen.add(id);
  });
}

export type UsageEventInput = z.input<typeof usageEventInputSchema>;
export type ParsedUsageEvent = z.output<typeof usageEventInputSchema>;
