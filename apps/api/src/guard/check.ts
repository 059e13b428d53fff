// The guard check shared by GET /v1/guard/check and GraphQL's guardCheck.
import { now as clockNow } from '@spendgraph/periods/clock';
import { type GuardBudgetAnswer, type GuardDecision, UNSCOPABLE_DIMENSIONS, decide } from '@spendgraph/budgets';
import { type SemanticLayer, USAGE_VIEW } from '@spendgraph/semantic';
import type { GuardCache } from './guard-cache.ts';

export class GuardContextError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
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

export async function check(cache: GuardCache, workspaceId: string, context: Map<string, string>): Promise<GuardDecision> {
  return decide(await cache.indexOf(workspaceId), context, clockNow());
}

/** An answer as JSON: decimals as strings. Answers live as long as the guard index, so each is rendered once. */
const rendered = new WeakMap<GuardBudgetAnswer, ReturnType<typeof render>>();
function render({ budget: b, standing: s, resetsAt }: GuardBudgetAnswer) {
  return {
    id: b.id,
    name: b.name,
    mode: b.mode,
    period: b.period,
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
          id: { type: 'string' }, name: { type: 'string' }, mode: { type: 'string' }, period: { type: 'string' },
          spend: { type: 'string' }, amount: { type: 'string' }, remaining: { type: 'string' }, percentUsed: { type: 'number' },
          blocking: { type: 'boolean' }, resetsAt: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;
