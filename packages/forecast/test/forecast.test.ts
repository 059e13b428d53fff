// Forecasts on events stored by the real ingest path and read through the real
// semantic layer. Expected figures are computed here by hand from the fixtures.
import { DateTime } from 'luxon';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { type BudgetFields, insertBudget, upsertPlan, upsertTask } from '@spendgraph/db';
import { type SemanticLayer, createSemanticLayer } from '@spendgraph/semantic';
import { fitDaily, planForecasts, predictDay, spendProjection, taskTypeProfiles } from '../src/index.ts';
import { type Platform, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let semantic: SemanticLayer;

beforeAll(async () => {
  p = await startPlatform();
  semantic = await createSemanticLayer({ databaseUrl: inject('databaseUrl') });
});
afterAll(async () => {
  await semantic?.close();
  await p?.stop();
});

type Ev = [at: string, cost: string, ctx?: Record<string, string>];
type Ws = { workspaceId: string; key: string };

/** Stores events [time, cost, context] through the API and the ingest worker. */
function ingest(ws: Ws, events: Ev[]) {
  return ingestAndWait(p, ws, events.map(([at, cost, ctx]) => ({ occurred_at: at, provider: 'anthropic', model: 'claude-sonnet-4-5', cost, ...ctx })));
}

async function workspace(events: Ev[]) {
  const ws = await workspaceWithKey(p.pool, ['ingest']);
  if (events.length) await ingest(ws, events);
  return ws;
}

const task = (plan: string, id: string, type?: string) => ({ plan_id: plan, task_id: id, ...(type ? { task_type: type } : {}) });
const AT = '2026-10-01T12:00:00Z';
const done = (ws: Ws, ...ids: string[]) => Promise.all(ids.map((id) => upsertTask(p.pool, ws.workspaceId, id, { status: 'done' })));

function planBudget(plan: string | string[], amount: string, extra: Partial<BudgetFields> = {}): BudgetFields {
  return {
    name: `plan ${plan}`, scope: [{ member: 'plan_id', operator: 'equals', values: Array.isArray(plan) ? plan : [plan] }], wholeWorkspace: false,
    period: 'lifetime', rollingDays: null, rollingHours: null, unit: 'cost', timezone: 'UTC', amount, currency: 'USD', thresholds: [100], forecastAlerts: true, mode: 'soft', ...extra,
  };
}

/**
 * Completed tasks: implement 1, 2 (two events), 3, 10; review 0.4, 0.6; one untyped 5.
 * Not samples: an open implement task (100), a cancelled one (50).
 */
async function profileFixture() {
  const ws = await workspace([
    [AT, '1', task('plan-old', 't1', 'implement')],
    [AT, '0.5', task('plan-old', 't2', 'implement')],
    [AT, '1.5', task('plan-old', 't2', 'implement')],
    [AT, '3', task('plan-old', 't3', 'implement')],
    [AT, '10', task('plan-old', 't4', 'implement')],
    [AT, '0.4', task('plan-old', 'r1', 'review')],
    [AT, '0.6', task('plan-7', 'r2', 'review')],
    [AT, '5', task('plan-old', 'u1')],
    [AT, '100', task('plan-old', 'still-open', 'implement')],
    [AT, '50', task('plan-old', 'dropped', 'implement')],
    // plan-7: an open implement task that has spent 4, and 1.4 on the plan outside tasks.
    [AT, '4', task('plan-7', 'p7/a', 'implement')],
    [AT, '1.4', { plan_id: 'plan-7' }],
  ]);
  await done(ws, 't1', 't2', 't3', 't4', 'r1', 'r2', 'u1');
  await upsertTask(p.pool, ws.workspaceId, 'dropped', { status: 'cancelled' });
  return ws;
}

/** The same ids in another workspace, costing far more: must never count. */
async function otherWorkspace() {
  const ws = await workspace([
    [AT, '1000', task('plan-old', 't1', 'implement')],
    [AT, '1000', task('plan-7', 'r2', 'review')],
    [AT, '1000', task('plan-7', 'p7/a', 'implement')],
    [AT, '1000', task('plan-7', 'p7/x', 'design')],
  ]);
  await done(ws, 't1', 'r2', 'p7/x');
  await insertBudget(p.pool, ws.workspaceId, planBudget('plan-7', '1'));
  return ws;
}

describe('task type profiles', () => {
  it('are the median, p25 and p90 of completed tasks per type, with an all-types fallback', async () => {
    const ws = await profileFixture();
    await otherWorkspace();
    const profiles = await taskTypeProfiles(semantic, ws.workspaceId);
    // implement: 1, 2, 3, 10 -> median (2 + 3) / 2; p25 at rank 0.75: 1 + 0.75 x 1; p90 at rank 2.7: 3 + 0.7 x 7.
    // review: 0.4, 0.6 -> median 0.5; p25 0.4 + 0.25 x 0.2; p90 0.4 + 0.9 x 0.2.
    expect(profiles.types).toEqual([
      { taskType: 'implement', n: 4, p25: '1.75', median: '2.5', p90: '7.9', mean: '4', min: '1', max: '10', total: '16' },
      { taskType: 'review', n: 2, p25: '0.45', median: '0.5', p90: '0.58', mean: '0.5', min: '0.4', max: '0.6', total: '1' },
    ]);
    // all: 0.4, 0.6, 1, 2, 3, 5, 10 -> median 2; p25 at rank 1.5: (0.6 + 1) / 2; p90 at rank 5.4: 5 + 0.4 x 5.
    expect(profiles.all).toEqual({ taskType: null, n: 7, p25: '0.8', median: '2', p90: '7', mean: '3.142857', min: '0.4', max: '10', total: '22' });
  });

  it('count a task in another currency at its cost converted to the reporting currency, as every figure of the model', async () => {
    const ws = await workspace([[AT, '2', task('p', 'usd', 'implement')], [AT, '7', { ...task('p', 'eur', 'implement'), currency: 'EUR' }]]);
    await done(ws, 'usd', 'eur');
    const { rows: [truth] } = await p.pool.query(
      'SELECT sum(total_cost * fx_rate)::float8 AS total FROM usage_events WHERE workspace_id = $1', [ws.workspaceId]);
    const { types } = await taskTypeProfiles(semantic, ws.workspaceId);
    expect(types.map((t) => [t.taskType, t.n])).toEqual([['implement', 2]]);
    expect(Number(types[0]!.total)).toBeCloseTo(truth.total, 6);
    expect(Number(types[0]!.total)).not.toBeCloseTo(9, 2); // 7 EUR is not 7 USD
  });

  it('take the type from the tasks table when given a pool', async () => {
    const ws = await workspace([[AT, '2', task('p', 'a')], [AT, '4', task('p', 'b', 'chore')]]);
    await upsertTask(p.pool, ws.workspaceId, 'a', { status: 'done', taskType: 'docs' });
    await upsertTask(p.pool, ws.workspaceId, 'b', { status: 'done', taskType: 'docs' });
    expect((await taskTypeProfiles(semantic, ws.workspaceId)).types.map((t) => [t.taskType, t.n])).toEqual([['chore', 1]]);
    expect((await taskTypeProfiles(semantic, ws.workspaceId, { pool: p.pool })).types.map((t) => [t.taskType, t.n, t.median])).toEqual([['docs', 2, '3']]);
  });

  it('are empty in a workspace without completed tasks', async () => {
    const ws = await workspace([[AT, '2', task('p', 'a', 'x')]]);
    expect(await taskTypeProfiles(semantic, ws.workspaceId)).toEqual({ currency: 'USD', types: [], all: null });
  });
});

describe('plan forecasts', () => {
  it('are the open tasks times their type profile, on top of the spend so far, against the plan budgets', async () => {
    const ws = await profileFixture();
    await otherWorkspace();
    const w = ws.workspaceId;
    // plan-7's open tasks: p7/a (implement, from its events), p7/b (implement), p7/c (review), p7/d (design: no sample).
    await upsertTask(p.pool, w, 'p7/b', { planId: 'plan-7', taskType: 'implement', status: 'in_progress' });
    await upsertTask(p.pool, w, 'p7/c', { planId: 'plan-7', taskType: 'review' });
    await upsertTask(p.pool, w, 'p7/d', { planId: 'plan-7', taskType: 'design' });
    await upsertTask(p.pool, w, 'p7/e', { planId: 'plan-7', taskType: 'implement', status: 'cancelled' });
    await upsertPlan(p.pool, w, 'plan-7', { name: 'Seven', status: 'in_progress' });
    // Not forecast: a done plan with an open task, an open plan whose tasks are all closed.
    await upsertPlan(p.pool, w, 'plan-old', { status: 'done' }); // still has an open task
    await upsertPlan(p.pool, w, 'plan-done', { status: 'done' });
    await upsertTask(p.pool, w, 'pd/a', { planId: 'plan-done', taskType: 'implement' });
    await upsertPlan(p.pool, w, 'plan-8', { status: 'open' });
    await upsertTask(p.pool, w, 'p8/a', { planId: 'plan-8', taskType: 'implement', status: 'done' });

    const tight = await insertBudget(p.pool, w, planBudget('plan-7', '13'));
    const roomy = await insertBudget(p.pool, w, planBudget('plan-7', '20'));
    await insertBudget(p.pool, w, planBudget(['plan-7', 'plan-8'], '1')); // not exactly this plan
    await insertBudget(p.pool, w, { ...planBudget('plan-7', '1'), scope: [{ member: 'plan_id', operator: 'equals', values: ['plan-7'] }, { member: 'user_id', operator: 'equals', values: ['ana'] }] });
    await insertBudget(p.pool, w, planBudget('plan-7', '1', { currency: 'EUR' }));

    const forecasts = await planForecasts({ pool: p.pool, semantic }, w);
    expect(forecasts.map((f) => f.planId)).toEqual(['plan-7']);
    const [f] = forecasts;
    // spent: 0.6 (r2) + 4 (p7/a) + 1.4 (plan, no task) = 6.
    // remaining, the expected spend: 2 x 4 (implement's mean) + 0.5 (review's) + 3.142857 (all types', for design) = 11.642857.
    expect(f).toMatchObject({
      planId: 'plan-7', name: 'Seven', status: 'in_progress', currency: 'USD', spent: '6', openTasks: 4, unprofiled: 1,
      remaining: '11.642857', forecastTotal: '17.642857', exceedsBudget: true,
    });
    // The interval is the simulated total's p25-p90 (seeded: the same every time), around the expected spend.
    const [low, high] = [Number(f!.remainingLow), Number(f!.remainingHigh)];
    expect(low).toBeGreaterThan(0);
    expect(low).toBeLessThan(11.642857);
    expect(high).toBeGreaterThan(11.642857);
    expect(new Decimal(f!.forecastLow!).minus(f!.remainingLow!).toFixed()).toBe('6');
    expect((await planForecasts({ pool: p.pool, semantic }, w))[0]!.remainingHigh).toBe(f!.remainingHigh);
    expect(f!.byType.map((g) => [g.taskType, g.count, g.unprofiled, g.profile?.taskType, g.remaining])).toEqual([
      ['design', 1, true, null, '3.142857'],
      ['implement', 2, false, 'implement', '8'],
      ['review', 1, false, 'review', '0.5'],
    ]);
    expect(f!.budgets.map((b) => [b.budget.id, b.amount, b.exceeds, b.overBy])).toEqual([
      [tight.id, '13', true, '4.642857'],
      [roomy.id, '20', false, '-2.357143'],
    ]);
    const [pTight, pRoomy] = f!.budgets.map((b) => b.exceedProbability!);
    expect(pTight).toBeGreaterThan(pRoomy!);
    expect(pRoomy).toBeGreaterThan(0);
    expect(f!.budgets.map((b) => b.mayExceed)).toEqual([true, high + 6 > 20]);

    // A paused budget is listed but does not flag the plan.
    await p.pool.query('UPDATE budgets SET paused = true WHERE id = $1', [tight.id]);
    const [again] = await planForecasts({ pool: p.pool, semantic }, w, ['plan-7', 'plan-8', 'plan-done', 'nope']);
    expect(again).toMatchObject({ planId: 'plan-7', exceedsBudget: false });
    expect(again!.budgets).toHaveLength(2);
    expect(await planForecasts({ pool: p.pool, semantic }, w, ['plan-8'])).toEqual([]);
  });

  it('has no remaining figure when no task of the workspace was ever completed', async () => {
    const ws = await workspace([[AT, '3', task('plan-1', 'a', 'implement')]]);
    await insertBudget(p.pool, ws.workspaceId, planBudget('plan-1', '2'));
    const [f] = await planForecasts({ pool: p.pool, semantic }, ws.workspaceId);
    expect(f).toMatchObject({ planId: 'plan-1', spent: '3', openTasks: 1, unprofiled: 1, remaining: null, forecastTotal: null, exceedsBudget: false });
  });
});

describe('the seasonal model', () => {
  it('recovers a linear trend and weekday factors', () => {
    const S = [1.2, 1.2, 1.2, 1.2, 1.2, 0.5, 0.5];
    const points = Array.from({ length: 56 }, (_, t) => ({ t, weekday: (t % 7) + 1, y: (20 + 0.5 * t) * S[t % 7]! }));
    const fit = fitDaily(points);
    expect(fit.method).toBe('trend×weekday');
    expect(fit.slope).toBeCloseTo(0.5, 3);
    expect(fit.intercept).toBeCloseTo(20, 2);
    fit.factors.forEach((f, i) => expect(f).toBeCloseTo(S[i]!, 3));
    expect(predictDay(fit, 60, 5)).toBeCloseTo(50 * 1.2, 1);
  });

  it('predicts nothing on weekdays that never spend', () => {
    const points = Array.from({ length: 28 }, (_, t) => ({ t, weekday: (t % 7) + 1, y: t % 7 < 5 ? 14 : 0 }));
    const fit = fitDaily(points);
    expect(predictDay(fit, 33, 6)).toBe(0);
    expect(predictDay(fit, 35, 1)).toBeCloseTo(14, 6);
  });

  it('falls back to a trend line with less than two weeks, and to zero without spend', () => {
    expect(fitDaily(Array.from({ length: 5 }, (_, t) => ({ t, weekday: t + 1, y: 2 + t })))).toMatchObject({ method: 'trend', slope: 1, intercept: 2 });
    expect(fitDaily([{ t: 0, weekday: 1, y: 0 }])).toMatchObject({ method: 'zero' });
  });
});

describe('spend projection', () => {
  // Now: Wednesday 2026-11-18 12:00 UTC. The week runs from Monday Nov 16; the last 8
  // complete weeks are Sep 23 .. Nov 17.
  const NOW = new Date('2026-11-18T12:00:00Z');
  const FIRST = DateTime.fromISO('2026-09-23', { zone: 'UTC' });
  const dayAt = (i: number, time = '12:00:00') => `${FIRST.plus({ days: i }).toISODate()}T${time}Z`;
  const TODAY = 56;
  const S = [1.2, 1.2, 1.2, 1.2, 1.2, 0.5, 0.5];
  const weekday = (i: number) => FIRST.plus({ days: i }).weekday;
  const truth = (i: number) => new Decimal((20 + 0.5 * i) * S[weekday(i) - 1]!).toDecimalPlaces(6);

  it('carries a trend and weekly pattern to the period end, with a small backtest error', async () => {
    const events: Ev[] = Array.from({ length: TODAY }, (_, i) => [dayAt(i), truth(i).toFixed()]);
    events.push([dayAt(TODAY, '06:00:00'), '7'], [dayAt(TODAY, '13:00:00'), '100']); // today: before and after now
    const ws = await workspace(events);
    await workspace([[dayAt(TODAY - 1), '5000']]); // another workspace, same days

    const week = await spendProjection(semantic, ws.workspaceId, { period: 'week', timezone: 'UTC', now: NOW });
    expect(week).toMatchObject({ period: 'week', periodStart: '2026-11-16T00:00:00.000Z', periodEnd: '2026-11-23T00:00:00.000Z', asOf: '2026-11-18T12:00:00.000Z' });
    expect(week.actual).toBe(truth(TODAY - 2).plus(truth(TODAY - 1)).plus(7).toFixed()); // Mon + Tue + today so far
    expect(week.days.map((d) => [d.date, d.fraction])).toEqual([['2026-11-18', 0.5], ['2026-11-19', 1], ['2026-11-20', 1], ['2026-11-21', 1], ['2026-11-22', 1]]);
    const expected = truth(TODAY).times(0.5).plus(truth(TODAY + 1)).plus(truth(TODAY + 2)).plus(truth(TODAY + 3)).plus(truth(TODAY + 4));
    expect(new Decimal(week.projectedRemaining).minus(expected).abs().div(expected).toNumber()).toBeLessThan(0.005);
    expect(week.projected).toBe(new Decimal(week.actual).plus(week.projectedRemaining).toFixed());
    expect(week.model).toMatchObject({ method: 'trend×weekday', historyDays: 56, fitFrom: '2026-09-23', fitTo: '2026-11-17' });
    expect(Number(week.model.trendPerDay)).toBeCloseTo(0.5, 2);
    expect(week.model.weekdayFactors.find((f) => f.weekday === 6)!.factor).toBeCloseTo(0.5, 2);

    const bt = week.backtest!;
    expect(bt.trainDays).toBe(49);
    expect(bt.days.map((d) => d.date)).toEqual(['2026-11-11', '2026-11-12', '2026-11-13', '2026-11-14', '2026-11-15', '2026-11-16', '2026-11-17']);
    expect(bt.actualTotal).toBe([49, 50, 51, 52, 53, 54, 55].reduce((s, i) => s.plus(truth(i)), new Decimal(0)).toFixed());
    expect(bt.mape!).toBeLessThan(0.5);
    expect(Math.abs(bt.totalErrorPercent!)).toBeLessThan(0.5);

    // A month in New York: Nov 1 04:00Z to Dec 1 05:00Z; now is 07:00 there, 17 h of today remain.
    const month = await spendProjection(semantic, ws.workspaceId, { period: 'month', timezone: 'America/New_York', now: NOW });
    expect(month).toMatchObject({ periodStart: '2026-11-01T04:00:00.000Z', periodEnd: '2026-12-01T05:00:00.000Z' });
    const novemberSoFar = Array.from({ length: 17 }, (_, k) => truth(TODAY - 17 + k)).reduce((s, x) => s.plus(x), new Decimal(7));
    expect(month.actual).toBe(novemberSoFar.toFixed());
    expect(month.days).toHaveLength(13);
    expect(month.days[0]!.fraction).toBeCloseTo(17 / 24, 10);
  });

  it('projects a flat series flat, for a scope, and counts nothing of other scopes or workspaces', async () => {
    const events: Ev[] = Array.from({ length: TODAY }, (_, i) => [dayAt(i), '5', { agent: 'coder' }]);
    events.push([dayAt(TODAY, '06:00:00'), '2.5', { agent: 'coder' }], [dayAt(TODAY - 1), '3', { agent: 'reviewer' }]);
    const ws = await workspace(events);
    const coder = await spendProjection(semantic, ws.workspaceId, {
      period: 'week', timezone: 'UTC', now: NOW, filters: [{ member: 'usage.agent', operator: 'equals', values: ['coder'] }],
    });
    // 5 + 5 + 2.5 so far; half of today and four days at 5 remain.
    expect(coder).toMatchObject({ actual: '12.5', projectedRemaining: '22.5', projected: '35' });
    expect(coder.days.map((d) => d.projected)).toEqual(['2.5', '5', '5', '5', '5']);
    expect(coder.model).toMatchObject({ trendPerDay: '0', level: '5' });
    expect(coder.backtest).toMatchObject({ mape: 0, totalError: '0', actualTotal: '35', predictedTotal: '35' });

    const all = await spendProjection(semantic, ws.workspaceId, { period: 'week', timezone: 'UTC', now: NOW });
    expect(all.actual).toBe('15.5');
    const empty = await spendProjection(semantic, (await workspace([])).workspaceId, { period: 'month', timezone: 'UTC', now: NOW });
    expect(empty).toMatchObject({ actual: '0', projected: '0', backtest: null, model: { method: 'zero', historyDays: 0 } });
  });
});
