// A budget as users write it (GraphQL, SDK). One zod schema validates both
// creation and updates (an update is merged, then validated whole).
import { z } from 'zod';
import type { BudgetFields } from '@spendgraph/db';
import { storableText } from '@spendgraph/schema';

export type { Budget } from '@spendgraph/db';

export const BUDGET_PERIODS = ['daily', 'weekly', 'monthly', 'rolling', 'lifetime'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];
export const BUDGET_MODES = ['soft', 'hard'] as const;
/** What a budget's amount counts: money, or a subscription plan's usage (a plan limit). */
export const BUDGET_UNITS = ['cost', 'tokens', 'calls'] as const;
export type BudgetUnit = (typeof BUDGET_UNITS)[number];
export type BudgetMode = (typeof BUDGET_MODES)[number];
export const DEFAULT_THRESHOLDS = [50, 75, 90, 100];

/** Dimensions a budget cannot be scoped by: they identify single events or time, not work. */
export const UNSCOPABLE_DIMENSIONS = new Set(['event_id', 'occurred_at', 'workspace_id']);

/** Whether `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** One condition of a scope: the dimension (a `usage` member, e.g. `user_id`) has one of the values, or none of them. */
export const scopeFilterSchema = z.object({
  member: storableText.trim().min(1, 'name a dimension').max(100),
  operator: z.enum(['equals', 'notEquals']).default('equals'),
  values: z.array(storableText.min(1).max(500)).min(1, 'give at least one value').max(100),
});
export type ScopeFilter = z.infer<typeof scopeFilterSchema>;

const amountSchema = z
  .string()
  .trim()
  .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number such as "250" or "99.50"')
  .refine((v) => !v.startsWith('-') && /[1-9]/.test(v), 'must be greater than 0');

export const budgetInputSchema = z
  .object({
    name: storableText.trim().min(1, 'must not be empty').max(200),
    scope: z.array(scopeFilterSchema).max(20).default([]),
    /** Explicitly the whole workspace: an empty scope is refused so that no budget covers everything by accident. */
    wholeWorkspace: z.boolean().default(false),
    period: z.enum(BUDGET_PERIODS),
    /** Window length of a rolling budget, in days or (a plan's usage window, e.g. 5) in hours. */
    rollingDays: z.number().int().min(1).max(366).nullish(),
    rollingHours: z.number().int().min(1).max(8784).nullish(),
    unit: z.enum(BUDGET_UNITS).default('cost'),
    /** Calendar periods start at midnight (weeks on Monday) in this IANA time zone. */
    timezone: z.string().default('UTC').refine(isTimeZone, 'is not an IANA time zone'),
    amount: amountSchema,
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD').default('USD'),
    /** Percent of the amount; each fires once per period. */
    thresholds: z
      .array(z.number().gt(0, 'must be greater than 0').max(1000, 'must be at most 1000'))
      .min(1)
      .max(20)
      .default(DEFAULT_THRESHOLDS)
      .transform((ts) => [...new Set(ts)].sort((a, b) => a - b)),
    forecastAlerts: z.boolean().default(true),
    mode: z.enum(BUDGET_MODES).default('soft'),
  })
  .superRefine((b, ctx) => {
    if (!b.scope.length && !b.wholeWorkspace) {
      ctx.addIssue({ code: 'custom', path: ['scope'], message: 'name at least one dimension (e.g. user_id), or set wholeWorkspace: true for a budget over the whole workspace' });
    }
    if (b.scope.length && b.wholeWorkspace) {
      ctx.addIssue({ code: 'custom', path: ['wholeWorkspace'], message: 'a budget over the whole workspace has no scope' });
    }
    const seen = new Set<string>();
    b.scope.forEach((f, i) => {
      if (UNSCOPABLE_DIMENSIONS.has(f.member)) ctx.addIssue({ code: 'custom', path: ['scope', i, 'member'], message: `'${f.member}' cannot scope a budget` });
      if (seen.has(f.member)) ctx.addIssue({ code: 'custom', path: ['scope', i, 'member'], message: `'${f.member}' appears twice` });
      seen.add(f.member);
    });
    if (b.period === 'rolling' && !b.rollingDays && !b.rollingHours) {
      ctx.addIssue({ code: 'custom', path: ['rollingDays'], message: 'a rolling budget needs its window length, in days (rollingDays) or hours (rollingHours)' });
    }
    if (b.rollingDays && b.rollingHours) {
      ctx.addIssue({ code: 'custom', path: ['rollingHours'], message: 'give the window in days or in hours, not both' });
    }
    for (const field of ['rollingDays', 'rollingHours'] as const) {
      if (b.period !== 'rolling' && b[field]) {
        ctx.addIssue({ code: 'custom', path: [field], message: `only rolling budgets have a window length (period is ${b.period})` });
      }
    }
    // A call shared by several work items counts its share of cost; tokens and calls have no shares.
    const workItem = b.scope.findIndex((f) => f.member.replace(/^usage\./, '').startsWith('work_item'));
    if (b.unit !== 'cost' && workItem >= 0) {
      ctx.addIssue({ code: 'custom', path: ['scope', workItem, 'member'], message: `a budget of ${b.unit} cannot be scoped by work items (a call shared by several counts its share of cost only)` });
    }
  });
export type BudgetInput = z.input<typeof budgetInputSchema>;

/** Validates a budget (new, or an existing one with changes applied) into the fields stored. */
export function parseBudget(input: unknown): { ok: true; fields: BudgetFields } | { ok: false; issues: Array<{ path: string; message: string }> } {
  const parsed = budgetInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message })) };
  return { ok: true, fields: { ...parsed.data, rollingDays: parsed.data.rollingDays ?? null, rollingHours: parsed.data.rollingHours ?? null } };
}

/** Where a workspace's (or one budget's) alerts go: a webhook or Slack URL, or an e-mail address. */
export const alertChannelInputSchema = z
  .object({
    name: storableText.trim().min(1, 'must not be empty').max(200),
    type: z.enum(['webhook', 'slack', 'email']),
    target: z.string().trim().min(1).max(2000),
    budgetId: z.uuid('is not a budget id').nullish(),
  })
  .superRefine((c, ctx) => {
    const ok = c.type === 'email'
      ? z.email().safeParse(c.target).success
      : z.url({ protocol: /^https?$/ }).safeParse(c.target).success;
    if (!ok) ctx.addIssue({ code: 'custom', path: ['target'], message: c.type === 'email' ? `'${c.target}' is not an e-mail address` : `'${c.target}' is not an http(s) URL` });
  });
export type AlertChannelInput = z.output<typeof alertChannelInputSchema>;

/** Path of a zod issue as an argument path: `scope[0].member`. */
export function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${String(p)}` : String(p)), '');
}
