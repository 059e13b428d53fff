// A budget's scope, as semantic-layer filters (to read its spend) and as a
// predicate on the context of work about to start (to guard it).
import { type CubeQuery, usageMember } from '@spendgraph/semantic';
import type { Budget, ScopeFilter } from './schema.ts';

type CubeFilter = NonNullable<CubeQuery['filters']>[number];

/**
 * The budget's scope as filters of a `usage` query. No currency filter: cost measures are in the
 * workspace's reporting currency, every event converted (docs/decisions/0023-currencies.md).
 */
export function scopeFilters(b: Pick<Budget, 'scope'>): CubeFilter[] {
  return [
    ...b.scope.map((f) => ({ member: usageMember(f.member), operator: f.operator, values: [...f.values] })),
  ];
}

/**
 * Whether work with this context counts against the budget. A scope condition
 * on a dimension the context does not give cannot be decided, so the budget
 * does not apply: callers pass every field they know (user, agent, model, ...).
 */
export function appliesTo(b: Pick<Budget, 'scope' | 'wholeWorkspace'>, context: ReadonlyMap<string, string>): boolean {
  if (b.wholeWorkspace) return true;
  return b.scope.every((f) => {
    const v = context.get(f.member);
    if (v === undefined) return false;
    return f.operator === 'equals' ? f.values.includes(v) : !f.values.includes(v);
  });
}

/**
 * A scope of `equals` conditions only (`user_id = ana AND model IN (o3, gpt-4o)`), as
 * member -> values; budgets with such scopes on the same dimensions share one grouped
 * query. Undefined when a condition excludes values.
 */
export function equalsScope(scope: ScopeFilter[]): Map<string, string[]> | undefined {
  if (scope.some((f) => f.operator !== 'equals')) return undefined;
  return new Map(scope.map((f) => [f.member, f.values]));
}
