// The guard check shared by GET /v1/guard/check and GraphQL's guardCheck.
import { now as clockNow } from '@spendgraph/periods/clock';
import { type GuardBudgetAnswer, type GuardDecision, UNSCOPABLE_DIMENSIONS, decide } from '@spendgraph/budgets';
import { type SemanticLayer, USAGE_VIEW } from '@spendgraph/semantic';
import type { GuardCache } from './guard-cache.ts';

export class GuardContextError extends Error {
  readonly field: string;
  /** `RESTRICTED`: the context names another value than the key is restricted to (403). */
  readonly code: 'INVALID_ARGUMENT' | 'RESTRICTED';
  constructor(field: string, message: string, code: GuardContextError['code'] = 'INVALID_ARGUMENT') {
    super(`${field}: ${message}`);
    this.field = field;
    this.code = code;
  }
}

/** Who asks: the workspace, and a restricted key's values (the context is theirs; another value is refused). */
export interface Asker {
  workspaceId: string;
  restriction?: Readonly<Record<string, string>>;
}

/**
 * scopableDimensions, read once on first call: routes and resolvers are built before the API loads
 * Cube (on the first request that may query: server.ts), so they ask for the set inside requests.
 */
export function scopableDimensionsOnce(semantic: SemanticLayer): () => Set<string> {
  let dimensions: Set<string> | undefined;
  return () => (dimensions ??= scopableDimensions(semantic));
}

/** Dimensions a budget may be scoped by and a context may give: the `usage` view's, minus time and ids. */
export function scopableDimensions(semantic: SemanticLayer): Set<string> {
  const view = semantic.meta().views.find((v) => v.name === USAGE_VIEW)!;
  return new Set(
    view.dimensions
      .filter((d) => d.type !== 'time')
      .map((d) => d.name.slice(USAGE_VIEW.length + 1))
      .filter((name) => !UNSCOPABLE_DIMENSIONS.has(name)),
  );
}

/** Validates a context given as (dimension, value) pairs; `fieldOf(i)` names pair i in errors. */
export function parseContext(pairs: Array<[string, string]>, allowed: Set<string>, fieldOf: (i: number, name: string) => string): Map<string, string> {
  const context = new Map<string, string>();
  pairs.forEach(([dimension, value], i) => {
    if (!allowed.has(dimension)) {
      throw new GuardContextError(fieldOf(i, dimension), `unknown dimension '${dimension}'; use one of ${[...allowed].sort().join(', ')}`);
    }
    if (context.has(dimension)) throw new GuardContextError(fieldOf(i, dimension), `'${dimension}' is given twice`);
    if (!value || value.length > 500) throw new GuardContextError(fieldOf(i, dimension), 'needs a value of 1 to 500 characters');
    context.set(dimension, value);
  });
  return context;
}

export async function check(cache: GuardCache, asker: Asker, context: Map<string, string>): Promise<GuardDecision> {
  const { restriction } = asker;
  for (const [dimension, value] of Object.entries(restriction ?? {})) {
    const given = context.get(dimension);
    if (given !== undefined && given !== value) throw new GuardContextError(dimension, `is '${given}', but this key is restricted to ${dimension} = '${value}'`, 'RESTRICTED');
    context.set(dimension, value);
  }
  const decision = decide(await cache.indexOf(asker.workspaceId), context, clockNow());
  return restriction ? confined(decision, restriction) : decision;
}

/** A budget whose scope keeps it within the key's values: its spend is the key's own figures. */
const within = (a: GuardBudgetAnswer, restriction: Readonly<Record<string, string>>) =>
  Object.entries(restriction).every(([dimension, value]) =>
    a.budget.scope.some((f) => f.member === dimension && f.operator === 'equals' && f.values.length === 1 && f.values[0] === value));

/**
 * What a restricted key is told: only the budgets within its values. The others (workspace-wide,
 * another agent's...) still decide, but their names and figures are not its to see.
 */
function confined(d: GuardDecision, restriction: Readonly<Record<string, string>>): GuardDecision {
  const budgets = d.budgets.filter((a) => within(a, restriction));
  const hiddenBlocking = d.budgets.some((a) => a.standing.blocking && !budgets.includes(a));
  const reason = hiddenBlocking ? 'a hard budget wider than this key\'s restriction is over its limit'
    : d.allow ? `within ${budgets.length} budget(s) of this key's restriction` : d.reason;
  return { ...d, reason, budgets, remaining: budgets[0]?.standing.remaining ?? null };
}

/** An answer as JSON: decimals as strings. Answers live as long as the guard index, so each is rendered once. */
const rendered = new WeakMap<GuardBudgetAnswer, ReturnType<typeof render>>();
function render({ budget: b, standing: s, resetsAt }: GuardBudgetAnswer) {
  return {
    id: b.id,
    name: b.name,
    mode: b.mode,
    period: b.period,
    unit: b.unit,
    spend: s.spend.toFixed(),
    amount: s.amount.toFixed(),
    remaining: s.remaining.toFixed(),
    percentUsed: s.percentUsed,
    blocking: s.blocking,
    resetsAt,
  };
}

/** Budgets listed in an answer unless the caller asks for more: the most urgent carry the decision. */
export const DEFAULT_LISTED = 10;
export const MAX_LISTED = 1000;

/** The decision as JSON (REST and GraphQL), listing the `limit` most urgent budgets of those that apply. */
export function presentDecision(d: GuardDecision, limit = DEFAULT_LISTED) {
  return {
    allow: d.allow,
    reason: d.reason,
    remaining: d.remaining?.toFixed() ?? null,
    evaluatedAt: d.evaluatedAt,
    applicable: d.budgets.length,
    budgets: d.budgets.slice(0, limit).map((a) => {
      let r = rendered.get(a);
      if (!r) rendered.set(a, (r = render(a)));
      return r;
    }),
  };
}

/** JSON schema of the REST answer (Fastify serializes with it, faster than JSON.stringify). */
export const DECISION_SCHEMA = {
  type: 'object',
  properties: {
    allow: { type: 'boolean' },
    reason: { type: 'string' },
    remaining: { type: ['string', 'null'] },
    evaluatedAt: { type: ['string', 'null'] },
    applicable: { type: 'integer' },
    budgets: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' }, name: { type: 'string' }, mode: { type: 'string' }, period: { type: 'string' }, unit: { type: 'string' },
          spend: { type: 'string' }, amount: { type: 'string' }, remaining: { type: 'string' }, percentUsed: { type: 'number' },
          blocking: { type: 'boolean' }, resetsAt: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;
