// Budget fields the pages show.
export const BUDGET_FIELDS = `id name scope { member operator values } wholeWorkspace period rollingDays timezone amount currency thresholds
  forecastAlerts mode paused state spend remaining percentUsed projectedSpend projectedCrossingAt outlook atRisk blocking periodStart periodEnd evaluatedAt`;

export interface Budget {
  id: string; name: string; scope: Array<{ member: string; operator: string; values: string[] }>; wholeWorkspace: boolean; period: string;
  rollingDays: number | null; timezone: string; amount: string; currency: string; thresholds: number[]; forecastAlerts: boolean; mode: string;
  paused: boolean; state: string; spend: string; remaining: string; percentUsed: number; projectedSpend: string | null;
  outlook: 'over' | 'crosses' | 'under' | 'unknown'; atRisk: boolean;
  projectedCrossingAt: string | null; blocking: boolean; periodStart: string | null; periodEnd: string | null; evaluatedAt: string | null;
}

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
