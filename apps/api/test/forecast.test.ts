// Spend forecasting through the real API and worker (GraphQL): task type profiles,
// plan forecasts against plan budgets, the spend projection with its backtest,
// errors naming the argument, and workspace isolation of every query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertTask } from '@spendgraph/db';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let a: { workspaceId: string; key: string };
let b: { workspaceId: string; key: string };

const gql = (key: string, query: string, variables: Record<string, unknown> = {}) => graphqlRequest(p.apiUrl, key, query, variables);

const ok = (key: string, query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, key, query, variables);

async function spend(ws: { workspaceId: string; key: string }, events: Array<[string, string, Record<string, string>?]>) {
  await ingestAndWait(p, ws, events.map(([at, cost, ctx]) => ({ occurred_at: at, provider: 'openai', model: 'gpt-4o', cost, ...ctx })));
}

// Plan work long before the projection's 8 weeks; a flat $5 a day from Sep 23 to Nov 17, and $2.5 on Nov 18 before 12:00.
const OLD = '2026-06-01T12:00:00Z';
const NOW = '2026-11-18T12:00:00Z';
const task = (plan: string, id: string, type?: string) => ({ plan_id: plan, task_id: id, ...(type ? { task_type: type } : {}) });
const flatDays = (cost: string) =>
  Array.from({ length: 56 }, (_, i): [string, string] => [new Date(Date.parse('2026-09-23T12:00:00Z') + i * 86_400_000).toISOString(), cost]);

beforeAll(async () => {
  p = await startPlatform();
  a = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  b = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  await spend(a, [
    [OLD, '1', task('plan-1', 't1', 'implement')],
    [OLD, '2', task('plan-1', 't2', 'implement')],
    [OLD, '3', task('plan-1', 't3', 'implement')],
    [OLD, '10', task('plan-1', 't4', 'implement')],
    [OLD, '4', task('plan-7', 'p7/a', 'implement')],
    ...flatDays('5'),
    ['2026-11-18T06:00:00Z', '2.5'],
  ]);
  // The same ids in workspace b, at far higher cost.
  await spend(b, [
    [OLD, '1000', task('plan-1', 't1', 'implement')],
    [OLD, '1000', task('plan-7', 'p7/a', 'implement')],
    [OLD, '1000', task('plan-9', 'p9/a', 'implement')],
    ...flatDays('1000'),
  ]);
  for (const id of ['t1', 't2', 't3', 't4']) await upsertTask(p.pool, a.workspaceId, id, { status: 'done' });
  await upsertTask(p.pool, a.workspaceId, 'p7/b', { planId: 'plan-7', taskType: 'design' });
  await upsertTask(p.pool, b.workspaceId, 't1', { status: 'done' });
});
afterAll(async () => {
  await p?.stop();
});

const PROFILE = 'taskType allTypes currency n p25 median p90 total';

describe('task type profiles', () => {
  it('come from the key workspace completed tasks only', async () => {
    const { taskTypeProfiles } = await ok(a.key, `{ taskTypeProfiles { ${PROFILE} } }`);
    // 1, 2, 3, 10: median 2.5, p25 1 + 0.75 x 1, p90 3 + 0.7 x 7.
    const implement = { currency: 'USD', n: 4, p25: '1.75', median: '2.5', p90: '7.9', total: '16' };
    expect(taskTypeProfiles).toEqual([{ taskType: 'implement', allTypes: false, ...implement }, { taskType: null, allTypes: true, ...implement }]);
    const other = await ok(b.key, `{ taskTypeProfiles { taskType n median } }`);
    expect(other.taskTypeProfiles).toEqual([{ taskType: 'implement', n: 1, median: '1000' }, { taskType: null, n: 1, median: '1000' }]);
  });
});

describe('plan forecasts', () => {
  it('add the open tasks profiles to the spend so far and flag the plan over its budget', async () => {
    const { createBudget } = await ok(a.key, `mutation { createBudget(input: { name: "plan 7", scope: [{ member: "plan_id", values: ["plan-7"] }], period: lifetime, amount: "8" }) { id } }`);
    const query = `query ($ids: [ID!]) { planForecasts(ids: $ids) {
      planId spent openTasks unprofiled remaining remainingLow remainingHigh forecastTotal forecastHigh exceedsBudget
      byTaskType { taskType count unprofiled remaining profile { allTypes n } }
      budgets { budgetId name amount mode paused exceeds mayExceed exceedProbability overBy } } }`;
    const { planForecasts } = await ok(a.key, query);
    // The expected spend: p7/a (implement: 1, 2, 3, 10) 4 + p7/b (design: all types, the same four tasks) 4; spent 4.
    expect(planForecasts).toMatchObject([{
      planId: 'plan-7', spent: '4', openTasks: 2, unprofiled: 1, remaining: '8', forecastTotal: '12', exceedsBudget: true,
      byTaskType: [
        { taskType: 'design', count: 1, unprofiled: true, remaining: '4', profile: { allTypes: true, n: 4 } },
        { taskType: 'implement', count: 1, unprofiled: false, remaining: '4', profile: { allTypes: false, n: 4 } },
      ],
      budgets: [{ budgetId: createBudget.id, name: 'plan 7', amount: '8', mode: 'soft', paused: false, exceeds: true, mayExceed: true, overBy: '4' }],
    }]);
    // The interval and the probability come from the simulated total (seeded): p25 < expected < p90, 4 + p90 above 8.
    const [f] = planForecasts;
    expect(Number(f.remainingLow)).toBeLessThan(8);
    expect(Number(f.remainingHigh)).toBeGreaterThan(8);
    expect(Number(f.forecastHigh) - Number(f.remainingHigh)).toBeCloseTo(4, 9);
    expect(f.budgets[0].exceedProbability).toBeGreaterThan(0.1);
    expect(f.budgets[0].exceedProbability).toBeLessThan(1);
    // Workspace b: its own plan-7 (spent 1000, one implement task at 1000), no budget; a's plan-9 does not exist.
    const other = await ok(b.key, query, { ids: ['plan-7'] });
    expect(other.planForecasts).toMatchObject([{ planId: 'plan-7', spent: '1000', remaining: '1000', budgets: [], exceedsBudget: false }]);
    expect((await ok(a.key, query, { ids: ['plan-9'] })).planForecasts).toEqual([]);
  });
});

describe('spend projection', () => {
  const QUERY = `query ($filters: [Filter!], $period: ProjectionPeriod, $tz: String, $asOf: String) {
    spendProjection(filters: $filters, period: $period, timezone: $tz, asOf: $asOf) {
      period periodStart periodEnd actual projectedRemaining projected
      days { date projected fraction }
      model { method historyDays trendPerDay level }
      backtest { trainDays mape actualTotal predictedTotal totalError totalErrorPercent days { date actual predicted } } } }`;

  it('projects the week from the workspace spend, with its backtest', async () => {
    const { spendProjection } = await ok(a.key, QUERY, { period: 'week', asOf: NOW });
    expect(spendProjection).toMatchObject({
      period: 'week', periodStart: '2026-11-16T00:00:00.000Z', periodEnd: '2026-11-23T00:00:00.000Z',
      actual: '12.5', projectedRemaining: '22.5', projected: '35',
      model: { method: 'trend×weekday', historyDays: 56, trendPerDay: '0', level: '5' },
      backtest: { trainDays: 49, mape: 0, actualTotal: '35', predictedTotal: '35', totalError: '0', totalErrorPercent: 0 },
    });
    expect(spendProjection.days.map((d: { projected: string }) => d.projected)).toEqual(['2.5', '5', '5', '5', '5']);
    expect(spendProjection.backtest.days).toHaveLength(7);

    const other = await ok(b.key, QUERY, { period: 'week', asOf: NOW });
    expect(other.spendProjection).toMatchObject({ actual: '2000', projected: '6500' }); // 1000 a day, nothing today yet: 2000 + 500 + 4 x 1000
    const scoped = await ok(a.key, QUERY, { period: 'week', asOf: NOW, filters: [{ member: 'plan_id', operator: 'equals', values: ['plan-7'] }] });
    expect(scoped.spendProjection).toMatchObject({ actual: '0', projected: '0', backtest: null, model: { method: 'zero' } });
  });

  it('names the argument at fault', async () => {
    const field = async (variables: Record<string, unknown>) => (await gql(a.key, QUERY, variables)).body.errors?.[0]?.extensions?.field;
    expect(await field({ filters: [{ member: 'colour', operator: 'equals', values: ['red'] }] })).toBe('filters[0].member');
    expect(await field({ filters: [{ member: 'agent', operator: 'equals', values: [] }] })).toBe('filters[0].values');
    expect(await field({ tz: 'Mars/Olympus' })).toBe('timezone');
    expect(await field({ asOf: 'soon' })).toBe('asOf');
    const currency = await gql(a.key, '{ spendProjection(currency: "usd") { actual } }');
    expect(currency.body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'currency' });
  });
});
