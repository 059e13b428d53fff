// Budget fields the pages show (the BudgetFields fragment), as text.
import type { BudgetFieldsFragment, BudgetUnit } from './graphql/operations.ts';
import { formatCount, formatMoney } from './format';

/** A budget as the BudgetFields fragment (graphql/operations/budgets.graphql) selects it. */
export type Budget = BudgetFieldsFragment;

export function scopeText(b: Pick<Budget, 'scope' | 'wholeWorkspace'>) {
  if (b.wholeWorkspace) return 'whole workspace';
  return b.scope.map((s) => `${s.member} ${s.operator === 'notEquals' ? '∉' : '∈'} ${s.values.join(', ')}`).join(' AND ');
}

/** The projection's verdict in words, from the API's outlook (it never contradicts the spend). */
export function outlookText(b: Pick<Budget, 'outlook' | 'projectedCrossingAt'>, formatTime: (iso: string | null) => string): string {
  switch (b.outlook) {
    case 'over': return 'already over the limit';
    case 'crosses': return b.projectedCrossingAt ? `crosses the limit ${formatTime(b.projectedCrossingAt)}` : 'reaches the limit at this rate';
    case 'under': return 'stays under the limit';
    default: return 'no projection yet';
  }
}

/** An amount in the budget's unit: money, or a plan limit's tokens or calls. */
export function formatBudgetAmount(b: { unit?: BudgetUnit | null }, v: string | null | undefined): string {
  if (!b.unit || b.unit === 'cost') return formatMoney(v);
  return v === null || v === undefined ? '—' : `${formatCount(v)} ${b.unit}`;
}

/** The period as people say it: "rolling (5 h)", "rolling (30 d)", "monthly". */
export function periodText(b: Pick<Budget, 'period' | 'rollingDays' | 'rollingHours'>): string {
  if (b.rollingHours) return `${b.period} (${b.rollingHours} h)`;
  return b.rollingDays ? `${b.period} (${b.rollingDays} d)` : b.period;
}
