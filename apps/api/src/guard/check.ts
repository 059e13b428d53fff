// The guard check shared by GET /v1/guard/check and GraphQL's guardCheck.
import { type GuardDecision, UNSCOPABLE_DIMENSIONS, decide } from '@spendgraph/budgets';
import type { SemanticLayer } from '@spendgraph/semantic';
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
  const view = semantic.meta().views.find((v) => v.name === 'usage')!;
  return new Set(
    view.dimensions
      .filter((d) => d.type !== 'time')
      .map((d) => d.name.slice('usage.'.length))
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
  return decide(await cache.indexOf(workspaceId), context, new Date());
}

/** The decision as JSON (REST and GraphQL): decimals as strings. */
export function presentDecision(d: GuardDecision) {
  return {
    allow: d.allow,
    reason: d.reason,
    remaining: d.remaining?.toFixed() ?? null,
    evaluatedAt: d.evaluatedAt,
    budgets: d.budgets.map(({ budget: b, standing: s, resetsAt }) => ({
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
    })),
  };
}
