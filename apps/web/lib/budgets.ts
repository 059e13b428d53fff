// Budget fields the pages show.
import type * as Schema from './graphql/schema.ts';

export const BUDGET_FIELDS = `id name scope { member operator values } wholeWorkspace period rollingDays timezone amount currency thresholds
  forecastAlerts mode paused state spend remaining percentUsed projectedSpend projectedCrossingAt outlook atRisk blocking periodStart periodEnd evaluatedAt`;

/** A budget as BUDGET_FIELDS selects it (type generated from the schema). */
export type Budget = Pick<Schema.Budget,
  'id' | 'name' | 'scope' | 'wholeWorkspace' | 'period' | 'rollingDays' | 'timezone' | 'amount' | 'currency' | 'thresholds' |
  'forecastAlerts' | 'mode' | 'paused' | 'state' | 'spend' | 'remaining' | 'percentUsed' | 'projectedSpend' | 'projectedCrossingAt' |
  'outlook' | 'atRisk' | 'blocking' | 'periodStart' | 'periodEnd' | 'evaluatedAt'>;

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
