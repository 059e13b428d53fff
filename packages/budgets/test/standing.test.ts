// A budget's standing: the projection's verdict never contradicts the spend, and one test of
// "at risk" serves the budgets page, the overview and the morning report.
import { describe, expect, it } from 'vitest';
import type { Budget, BudgetStatus } from '@spendgraph/db';
import { standing } from '../src/index.ts';

const NOW = new Date('2026-12-02T10:44:00Z');
const budget = (over: Partial<Budget> = {}): Budget => ({
  id: 'b1', workspaceId: 'w', name: 'Team', scope: [], period: 'monthly', rollingDays: null, timezone: 'UTC', amount: '500', currency: 'USD',
  thresholds: [50, 80, 100], forecastAlerts: true, mode: 'soft', paused: false, createdAt: '', updatedAt: '', ...over,
} as Budget);
const status = (spend: string, projectedSpend: string | null, reached: string[] = []): BudgetStatus => ({
  budgetId: 'b1', workspaceId: 'w', asOf: NOW.toISOString(), periodKey: '2026-12-01T00:00:00.000Z', periodStart: '2026-12-01T00:00:00.000Z',
  periodEnd: '2027-01-01T00:00:00.000Z', amount: '500', spend, projectedSpend, projectedCrossingAt: null, reached,
});

describe('standing', () => {
  it('says over, not "stays under", for a budget past its limit (119.3 % of $500, projected $1,613.03)', () => {
    const s = standing(budget(), status('596.50', '1613.03', ['50', '80', '100']), NOW);
    expect(s).toMatchObject({ state: 'over', outlook: 'over', atRisk: true });
  });

  it('projects a crossing even when the crossing instant is not known', () => {
    expect(standing(budget(), status('100', '600'), NOW)).toMatchObject({ state: 'ok', outlook: 'crosses', atRisk: true });
    expect(standing(budget(), status('100', '400'), NOW)).toMatchObject({ state: 'ok', outlook: 'under', atRisk: false });
  });

  it('counts a budget in warning as at risk whatever its percentage', () => {
    expect(standing(budget(), status('260', '400', ['50']), NOW)).toMatchObject({ state: 'warning', atRisk: true });
  });

  it('has no outlook once its period ended, and paused budgets are not at risk', () => {
    expect(standing(budget(), status('600', '900', ['100']), new Date('2027-01-01T00:00:00Z'))).toMatchObject({ outlook: 'unknown', atRisk: false });
    expect(standing(budget({ paused: true }), status('600', '900', ['100']), NOW)).toMatchObject({ state: 'paused', atRisk: false });
  });
});
