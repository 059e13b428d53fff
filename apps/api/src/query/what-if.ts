// What-if savings (issue 17): a slice's observed token mix — per provider, model and tier, summed
// by the database through the semantic layer — repriced under another model, tier, cache hit ratio
// or a smaller context by the ingest's pricing engine (packages/pricing repriceMix). The answer
// states its assumptions; nothing is changed.
import { Decimal } from 'decimal.js';
import { CATALOG_VERSION, type Pricer, type Scenario, type TokenMix, repriceMix } from '@spendgraph/pricing';
import { type Period, cubeDateRange, now, periodJson } from '@spendgraph/periods';
import { type SemanticContext, type SemanticLayer, usageMember } from '@spendgraph/semantic';
import { SERVICE_TIERS, TOKEN_TYPES, type TokenCounts, tokensColumn } from '@spendgraph/schema';
import { argumentError, semanticCall } from './errors.ts';
import { checkText } from '../query-limits.ts';
import { EFFORT_BY, atEffort, checkEffort, effortAssumptions } from './effort-what-if.ts';
import { type FilterArg, MAX_ROWS, QueryArgs, type TimeRangeArg, checkTimezone } from './query-args.ts';

const D = Decimal.clone({ precision: 50 });
/** A month, for the monthly estimate. */
export const MONTH_DAYS = 30;
const DAY_MS = 86_400_000;
/** The range of a what-if or recommendation that names none. */
export const DEFAULT_SAVINGS_RANGE = { relative: `last ${MONTH_DAYS} days` };
const RATIO = /^(0(\.\d{1,6})?|1(\.0{1,6})?)$/;

export interface WhatIfArgs {
  filters?: FilterArg[] | null;
  timeRange?: TimeRangeArg | null;
  timezone?: string | null;
  scenario: { model?: string | null; provider?: string | null; serviceTier?: string | null; cacheHitRatio?: string | null; contextReduction?: string | null; effort?: string | null };
}

export interface WhatIfGroup {
  provider: string; model: string; serviceTier: string | null; calls: number; errorCalls: number;
  /** An effort scenario's groups are also by task type and effort (null otherwise). */
  taskType: string | null; effort: string | null;
  tokens: Record<string, string>; observedCost: string | null;
  target: { provider: string; model: string; serviceTier: string | null };
  baselineCost: string | null; scenarioCost: string | null; saving: string | null;
}

/** The scenario as the pricing takes it; a bad part is a 400 naming it. */
export function checkScenario(s: WhatIfArgs['scenario'], field = 'scenario'): Scenario {
  const out: Scenario = {};
  for (const k of ['model', 'provider'] as const) {
    checkText(`${field}.${k}`, s[k]);
    const v = s[k]?.trim();
    if (s[k] != null && !v) throw argumentError('INVALID_ARGUMENT', `${field}.${k}`, 'must not be empty');
    if (v) out[k] = k === 'provider' ? v.toLowerCase() : v;
  }
  if (out.provider && !out.model) throw argumentError('INVALID_ARGUMENT', `${field}.provider`, 'applies with model only');
  if (s.serviceTier != null) {
    if (!(SERVICE_TIERS as readonly string[]).includes(s.serviceTier)) throw argumentError('INVALID_ARGUMENT', `${field}.serviceTier`, `must be one of ${SERVICE_TIERS.join(', ')}`);
    out.serviceTier = s.serviceTier;
  }
  for (const k of ['cacheHitRatio', 'contextReduction'] as const) {
    if (s[k] == null) continue;
    if (!RATIO.test(String(s[k]))) throw argumentError('INVALID_ARGUMENT', `${field}.${k}`, `'${s[k]}' is not a decimal from 0 to 1 (at most 6 places)`);
    out[k] = String(s[k]);
  }
  if (Object.keys(out).length === 0 && s.effort == null) throw argumentError('INVALID_ARGUMENT', field, 'change something: model, serviceTier, cacheHitRatio, contextReduction or effort');
  return out;
}

const u = usageMember;
const TOKEN_MEASURES = TOKEN_TYPES.map((t) => u(tokensColumn(t)));

export interface MixRow {
  mix: TokenMix;
  /** The values of the extra `by` dimensions, by short name. */
  by: Record<string, string | null>;
  errorCalls: number;
  observedCost: string | null;
}

/**
 * The slice's model calls per provider, model and tier (and `by`): tokens, calls, errors and
 * stored cost, summed by the database. `within` narrows the resolved period (recommendations' halves).
 */
export async function tokenMix(
  semantic: SemanticLayer, ctx: SemanticContext, args: Pick<WhatIfArgs, 'filters' | 'timeRange' | 'timezone'>,
  by: readonly string[] = [], within?: (p: Period) => Period,
): Promise<{ period: Period; rows: MixRow[] }> {
  const q = new QueryArgs(semantic);
  const timezone = args.timezone ?? 'UTC';
  checkTimezone(timezone);
  q.timeRange(args.timeRange ?? DEFAULT_SAVINGS_RANGE, 'timeRange', timezone);
  const period = within ? within(q.period!) : q.period!;
  const dims = [u('provider'), u('model'), u('service_tier'), ...by.map(u)];
  const { data } = await semanticCall(q.origins, () => semantic.load({
    measures: [...TOKEN_MEASURES, u('calls'), u('error_calls'), u('total_cost')],
    dimensions: dims,
    timeDimensions: [{ dimension: q.timeDimension, dateRange: cubeDateRange(period) }],
    filters: [...q.filters(args.filters), { member: u('kind'), operator: 'equals', values: ['model_call'] }],
    timezone,
    limit: MAX_ROWS,
  }, ctx));
  if (data.length >= MAX_ROWS) throw argumentError('TOO_MANY_GROUPS', 'filters', `more than ${MAX_ROWS} models; narrow the slice`);
  const rows = data.filter((r) => r[u('model')] !== null && r[u('provider')] !== null).map((r) => ({
    mix: {
      provider: String(r[u('provider')]), model: String(r[u('model')]),
      serviceTier: r[u('service_tier')] === null ? null : String(r[u('service_tier')]),
      calls: Number(r[u('calls')]),
      tokens: Object.fromEntries(TOKEN_TYPES.map((t) => [t, Number(r[u(tokensColumn(t))] ?? 0)])) as TokenCounts,
    },
    by: Object.fromEntries(by.map((d) => [d, r[u(d)] === null ? null : String(r[u(d)])])),
    errorCalls: Number(r[u('error_calls')]),
    observedCost: r[u('total_cost')] === null ? null : String(r[u('total_cost')]),
  }));
  return { period, rows };
}

/** Days the period has run (up to now), the base of the monthly estimate. */
export function observedDays(period: { from: Date; to: Date }, at: Date): Decimal {
  const end = Math.min(period.to.getTime(), at.getTime());
  return new D(Math.max(0, end - period.from.getTime())).dividedBy(DAY_MS);
}

const sum = (xs: Array<string | null>) => xs.reduce((s, x) => (x === null ? s : s.plus(x)), new D(0));

export function monthly(saving: Decimal, days: Decimal): string {
  return days.isZero() ? '0' : saving.times(MONTH_DAYS).dividedBy(days).toDecimalPlaces(6, Decimal.ROUND_HALF_EVEN).toFixed();
}

export function assumptions(s: Scenario, at: Date, days: Decimal, left: number, writesAsInput: boolean): string[] {
  const out = [
    `List prices (the ${CATALOG_VERSION} catalog and the price file, not workspace rates) in force at ${at.toISOString()}, for the observed and the scenario mix alike.`,
    'The same calls with the same output: quality, retries and output length do not change.',
  ];
  if (s.model) out.push(`Every model call of the slice made with ${s.provider ? `${s.provider}/` : ''}${s.model}, its reasoning tokens billed as that model bills them (at its output rate unless it has its own).`);
  if (s.serviceTier) out.push(`Every call billed at the ${s.serviceTier} tier.`);
  if (s.contextReduction) out.push(`Prompts ${new D(s.contextReduction).times(100).toFixed()}% smaller: uncached input, cache reads and cache writes each shrink by that share.`);
  if (s.cacheHitRatio) out.push(`${new D(s.cacheHitRatio).times(100).toFixed()}% of every prompt read from the cache; cache writes as observed, the rest uncached input.`);
  if (writesAsInput) out.push('Cache writes billed as uncached input where the target model has no cache-write price.');
  out.push('Long-context tiers chosen by each model\'s average prompt per call.');
  out.push(`Monthly: the period's saving × ${MONTH_DAYS} / the ${days.toDecimalPlaces(2).toFixed()} days it covers (volume as in the period).`);
  if (left) out.push(`${left} calls without a price (observed or under the scenario) are left out.`);
  return out;
}

export async function whatIf(semantic: SemanticLayer, ctx: SemanticContext, pricer: Pricer, args: WhatIfArgs) {
  const scenario = checkScenario(args.scenario);
  const effort = checkEffort(args.scenario.effort);
  const { period, rows: observed } = await tokenMix(semantic, ctx, args, effort ? EFFORT_BY : []);
  const moved = effort ? atEffort(observed, effort) : undefined;
  const rows = moved?.rows ?? observed.map((r) => ({ ...r, atTarget: r.mix.tokens }));
  const at = now();
  const groups: WhatIfGroup[] = [];
  let left = 0;
  let writesAsInput = false;
  for (const r of rows) {
    const p = repriceMix(pricer, { ...r.mix, tokens: r.atTarget }, scenario, at);
    const baselineCost = repriceMix(pricer, r.mix, scenario, at).baseline;
    writesAsInput ||= p.writesAsInput;
    const priced = baselineCost !== null && p.scenario !== null;
    if (!priced) left += r.mix.calls;
    groups.push({
      ...r.mix, errorCalls: r.errorCalls, observedCost: r.observedCost, target: p.target,
      taskType: r.by.task_type ?? null, effort: r.by.effort ?? null,
      tokens: Object.fromEntries(TOKEN_TYPES.map((t) => [t, String(r.mix.tokens[t])])),
      baselineCost, scenarioCost: p.scenario,
      saving: priced ? new D(baselineCost).minus(p.scenario!).toFixed() : null,
    });
  }
  if (scenario.model && !groups.some((g) => g.scenarioCost !== null) && groups.length) {
    throw argumentError('INVALID_ARGUMENT', 'scenario.model', `no price is known for ${scenario.model}${scenario.provider ? ` at ${scenario.provider}` : ''}`);
  }
  const counted = groups.filter((g) => g.saving !== null);
  const baseline = sum(counted.map((g) => g.baselineCost));
  const scenarioCost = sum(counted.map((g) => g.scenarioCost));
  const saving = baseline.minus(scenarioCost);
  const days = observedDays(period, at);
  groups.sort((a, b) => new D(b.saving ?? 0).comparedTo(a.saving ?? 0) || a.model.localeCompare(b.model));
  return {
    period: periodJson(period),
    scenario: {
      model: scenario.model ?? null, provider: scenario.provider ?? null, serviceTier: scenario.serviceTier ?? null,
      cacheHitRatio: scenario.cacheHitRatio ?? null, contextReduction: scenario.contextReduction ?? null, effort: effort ?? null,
    },
    currency: 'USD',
    observedCost: sum(groups.map((g) => g.observedCost)).toFixed(),
    baselineCost: baseline.toFixed(),
    scenarioCost: scenarioCost.toFixed(),
    saving: saving.toFixed(),
    savingShare: baseline.isZero() ? null : saving.dividedBy(baseline).toDecimalPlaces(6).toFixed(6),
    days: days.toDecimalPlaces(6).toFixed(),
    monthlySaving: monthly(saving, days),
    assumptions: [
      ...(effort && moved ? effortAssumptions(effort, moved.rows.filter((r) => r.outcome === 'moved').reduce((n, r) => n + r.mix.calls, 0), moved.reference, moved.unobserved) : []),
      ...assumptions(scenario, at, days, left, writesAsInput),
    ],
    groups,
  };
}
