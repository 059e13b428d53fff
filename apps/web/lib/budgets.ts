// Budget fields the pages show.
export const BUDGET_FIELDS = `id name scope { member operator values } wholeWorkspace period rollingDays timezone amount currency thresholds
  forecastAlerts mode paused state spend remaining percentUsed projectedSpend projectedCrossingAt blocking periodStart periodEnd evaluatedAt`;

export interface Budget {
  id: string; name: string; scope: Array<{ member: string; operator: string; values: string[] }>; wholeWorkspace: boolean; period: string;
  rollingDays: number | null; timezone: string; amount: string; currency: string; thresholds: number[]; forecastAlerts: boolean; mode: string;
  paused: boolean; state: string; spend: string; remaining: string; percentUsed: number; projectedSpend: string | null;
  projectedCrossingAt: string | null; blocking: boolean; periodStart: string | null; periodEnd: string | null; evaluatedAt: string | null;
}

export function scopeText(b: Pick<Budget, 'scope' | 'wholeWorkspace'>) {
  if (b.wholeWorkspace) return 'whole workspace';
  return b.scope.map((s) => `${s.member} ${s.operator === 'notEquals' ? '∉' : '∈'} ${s.values.join(', ')}`).join(' AND ');
}
