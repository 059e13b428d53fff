// A saved view's explorer state (what the explorer's URL holds: apps/web/lib/query-state.ts),
// validated before it is stored: its shape by zod, its members against the semantic model, its
// range with the shared period vocabulary. A refusal names the field (`input.state.by[1]`).
import { z } from 'zod';
import { type SemanticLayer, USAGE_VIEW } from '@spendgraph/semantic';
import { argumentError } from '../query/errors.ts';
import { qualify, resolveRange, timeRangeNames } from '../query/query-args.ts';
import { LIMITS } from '../query-limits.ts';

const OPERATORS = [
  'equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'gt', 'gte', 'lt', 'lte', 'set', 'notSet',
] as const;
/** Text Postgres can store (no NUL): refused here, naming the field, not by the database. */
const text = (max: number) => z.string().max(max).refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');
const name = text(200).pipe(z.string().min(1));

/** How a view is drawn: over time (a series per value of its first segment), as bars of its first segment, or as the pivot table. */
export const VIEW_CHARTS = ['timeseries', 'bar', 'table'] as const;

export const viewStateSchema = z.object({
  measures: z.array(name).min(1).max(LIMITS.measures),
  by: z.array(name).max(LIMITS.by).default([]),
  filters: z.array(z.object({ member: name, operator: z.enum(OPERATORS), values: z.array(text(1000)).max(100).nullish() })).max(20).nullish()
    .transform((f) => (f ?? []).map((x) => ({ member: x.member, operator: x.operator, values: x.values ?? [] }))),
  timeRange: z.object({ relative: text(100).nullish(), from: text(40).nullish(), to: text(40).nullish() }).strict()
    .nullish().transform((r) => (r?.from ? { from: r.from, ...(r.to ? { to: r.to } : {}) } : { relative: r?.relative ?? 'last 30 days' })),
  granularity: z.enum(['hour', 'day', 'week', 'month', 'quarter', 'year']).nullish().transform((g) => g ?? 'day'),
  chart: z.enum(VIEW_CHARTS).nullish().transform((c) => c ?? 'timeseries'),
  limit: z.number().int().min(1).max(1000).nullish().transform((l) => l ?? 10),
});
export type ViewState = z.output<typeof viewStateSchema>;

/** Refuses the first problem of a zod parse, naming its field under `prefix`. */
export function parseOrRefuse<S extends z.ZodTypeAny>(schema: S, value: unknown, prefix: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.reduce<string>((at, p) => (typeof p === 'number' ? `${at}[${p}]` : `${at}.${String(p)}`), prefix);
  throw argumentError('INVALID_ARGUMENT', path, issue.message);
}

/** The state checked through and through: shape, members of the usage view, range. */
export function validViewState(semantic: SemanticLayer, value: unknown, prefix = 'input.state'): ViewState {
  const state = parseOrRefuse(viewStateSchema, value, prefix);
  const view = semantic.meta().views.find((v) => v.name === USAGE_VIEW)!;
  const measures = new Set(view.measures.map((m) => m.name));
  const dimensions = new Set(view.dimensions.filter((d) => d.type !== 'time').map((m) => m.name));
  state.measures.forEach((m, i) => {
    if (!measures.has(qualify(m))) throw argumentError('UNKNOWN_MEMBER', `${prefix}.measures[${i}]`, `'${m}' is not a measure`);
  });
  state.by.forEach((d, i) => {
    if (!dimensions.has(qualify(d))) throw argumentError('UNKNOWN_MEMBER', `${prefix}.by[${i}]`, `'${d}' is not a dimension to segment by`);
  });
  state.filters.forEach((f, i) => {
    const at = `${prefix}.filters[${i}]`;
    if (!measures.has(qualify(f.member)) && !dimensions.has(qualify(f.member))) throw argumentError('UNKNOWN_MEMBER', `${at}.member`, `'${f.member}' is not a member`);
    if (f.operator !== 'set' && f.operator !== 'notSet' && !f.values.length) throw argumentError('INVALID_ARGUMENT', `${at}.values`, `operator ${f.operator} needs at least one value`);
  });
  resolveRange(state.timeRange, timeRangeNames(`${prefix}.timeRange`));
  return state;
}

/** The GraphQL filters of a state (set/notSet take no values). */
export const stateFilters = (state: ViewState) =>
  state.filters.map((f) => (f.operator === 'set' || f.operator === 'notSet' ? { member: f.member, operator: f.operator } : f));
