// Budget evaluation at chosen moments, on events stored by the real ingest path
// and read through the real semantic layer. Expected figures are computed here
// by hand from the fixture.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { type Budget, activeBudgets, budgetStatuses, insertBudget, listAlerts, upsertTask } from '@spendgraph/db';
import { type SemanticLayer, createSemanticLayer } from '@spendgraph/semantic';
import { buildGuardIndex, decide, evaluateBudgets, parseBudget } from '../src/index.ts';
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

async function workspaceSpending(events: Array<[string, string, Record<string, string>?]>) {
  const ws = await workspaceWithKey(p.pool, ['ingest']);
  await ingest(ws, events);
  return ws;
}

/** Stores events [time, cost, context] through the API and the ingest worker. */
const ingest = (ws: { workspaceId: string; key: string }, events: Array<[string, string, Record<string, string>?]>) =>
  ingestAndWait(p, ws, events.map(([at, cost, ctx]) => ({ occurred_at: at, provider: 'anthropic', model: 'claude-sonnet-4-5', cost, user_id: 'ana', ...ctx })));

async function budget(workspaceId: string, input: Record<string, unknown>): Promise<Budget> {
  const parsed = parseBudget({ name: 'b', scope: [{ member: 'user_id', values: ['ana'] }], ...input });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return insertBudget(p.pool, workspaceId, parsed.fields);
}

const evaluate = (workspaceId: string, at: string) => evaluateBudgets({ pool: p.pool, semantic }, { workspaceId, now: new Date(at) });
const alerts = async (workspaceId: string) =>
  (await listAlerts(p.pool, workspaceId)).map((a) => ({ kind: a.kind, threshold: a.threshold, spend: a.spend, period: a.periodStart }));
const statusOf = async (workspaceId: string) => (await budgetStatuses(p.pool, workspaceId))[0]!;

describe('the trend', () => {
  it('warns with the projected crossing date before any threshold is reached', async () => {
    // $30 on Oct 10; seen on Oct 11 00:00 UTC: the last 7 days ran at 30/7 a day, 21 days remain in October.
    const ws = await workspaceSpending([['2026-10-10T12:00:00Z', '30'], ['2026-09-30T23:00:00Z', '500']]);
    const other = await workspaceSpending([['2026-10-10T12:00:00Z', '1000']]); // the same user in another workspace
    await budget(ws.workspaceId, { period: 'monthly', amount: '100' });
    await evaluate(ws.workspaceId, '2026-10-11T00:00:00Z');
    expect(await alerts(ws.workspaceId)).toEqual([{ kind: 'forecast', threshold: null, spend: '30', period: '2026-10-01T00:00:00.000Z' }]);
    const [alert] = await listAlerts(p.pool, ws.workspaceId);
    expect(alert).toMatchObject({ projectedSpend: '120', projectedCrossingAt: '2026-10-27T08:00:00.000Z' }); // 30 + 21 x 30/7; 70 / (30/7) = 16 d 8 h
    await evaluate(ws.workspaceId, '2026-10-11T06:00:00Z');
    expect(await alerts(ws.workspaceId)).toHaveLength(1); // once per period
    expect(await alerts(other.workspaceId)).toEqual([]);
  });

  it('of a rolling window: spend dropping out is weighed against the recent rate', async () => {
    // $30 within the last day of a 7-day window of $100: the window grows by 30 - 30/7 a day.
    const ws = await workspaceSpending([['2026-10-10T12:00:00Z', '30']]);
    await budget(ws.workspaceId, { period: 'rolling', rollingDays: 7, amount: '100' });
    await evaluate(ws.workspaceId, '2026-10-11T00:00:00Z');
    const status = await statusOf(ws.workspaceId);
    expect(status).toMatchObject({ spend: '30', projectedSpend: '210', reached: ['forecast'] });
    // 70 / (30 - 30/7) days = 2.7222... days = 2 d 17 h 20 min
    expect(status.projectedCrossingAt).toBe('2026-10-13T17:20:00.000Z');
  });
});

describe('a lifetime plan budget', () => {
  it('warns when the plan\'s forecast (spent + open tasks x their type\'s mean) exceeds it, with its probability', async () => {
    // Two done feature tasks cost 2 and 4 (mean 3); three feature tasks are still open: 6 + 3 x 3 = 15.
    const plan = { plan_id: 'plan-x', task_type: 'feature' };
    const ws = await workspaceSpending([
      ['2026-10-01T10:00:00Z', '2', { ...plan, task_id: 'plan-x/t1' }], ['2026-10-02T10:00:00Z', '4', { ...plan, task_id: 'plan-x/t2' }],
    ]);
    for (const t of ['t1', 't2']) await upsertTask(p.pool, ws.workspaceId, `plan-x/${t}`, { status: 'done' });
    for (const t of ['t3', 't4', 't5']) await upsertTask(p.pool, ws.workspaceId, `plan-x/${t}`, { planId: 'plan-x', taskType: 'feature' });
    await budget(ws.workspaceId, { period: 'lifetime', amount: '10', thresholds: [80, 100], scope: [{ member: 'plan_id', values: ['plan-x'] }] });
    await evaluate(ws.workspaceId, '2026-10-03T00:00:00Z');
    expect(await statusOf(ws.workspaceId)).toMatchObject({ spend: '6', projectedSpend: '15', projectedCrossingAt: null, reached: ['forecast'] });
    expect(await alerts(ws.workspaceId)).toEqual([{ kind: 'forecast', threshold: null, spend: '6', period: null }]);
    // The calibrated chance that three more tasks like those (2 and 4) take the plan past 10 when it has spent 6.
    const [fired] = await listAlerts(p.pool, ws.workspaceId);
    expect(fired!.exceedProbability).toBeGreaterThan(0.8);
    expect(fired!.exceedProbability).toBeLessThanOrEqual(1);
  });
});

describe('a hard daily budget', () => {
  it('denies until the period ends, and its thresholds fire again in the next period', async () => {
    const ws = await workspaceSpending([['2026-10-10T12:00:00Z', '6', { agent: 'coder' }], ['2026-10-10T13:00:00Z', '9', { agent: 'other' }]]);
    const b = await budget(ws.workspaceId, { period: 'daily', amount: '5', mode: 'hard', forecastAlerts: false, scope: [{ member: 'agent', values: ['coder'] }] });
    await evaluate(ws.workspaceId, '2026-10-10T18:00:00Z');
    const entries = async () => {
      const statuses = await budgetStatuses(p.pool, ws.workspaceId);
      return buildGuardIndex((await activeBudgets(p.pool, { workspaceId: ws.workspaceId })).map((budget) => ({ budget, status: statuses.find((s) => s.budgetId === budget.id) })));
    };
    const coder = new Map([['agent', 'coder']]);
    const denied = decide(await entries(), coder, new Date('2026-10-10T18:00:01Z'));
    expect(denied).toMatchObject({ allow: false });
    expect(denied.reason).toContain(`'b' (${b.id}) is over its limit: USD 6.00 of USD 5.00 spent; it resets at 2026-10-11T00:00:00.000Z`);
    // The next day allows at once, before any evaluation of it.
    const nextDay = decide(await entries(), coder, new Date('2026-10-11T00:00:01Z'));
    expect(nextDay).toMatchObject({ allow: true });
    expect(nextDay.remaining!.toFixed()).toBe('5');

    await ingest(ws, [['2026-10-11T00:30:00Z', '5.2', { agent: 'coder' }]]);
    await evaluate(ws.workspaceId, '2026-10-11T01:00:00Z');
    expect(decide(await entries(), coder, new Date('2026-10-11T01:00:01Z'))).toMatchObject({ allow: false });
    expect((await alerts(ws.workspaceId)).map((a) => [a.period?.slice(0, 10), a.threshold, a.spend])).toEqual([
      ['2026-10-10', 50, '6'], ['2026-10-10', 75, '6'], ['2026-10-10', 90, '6'], ['2026-10-10', 100, '6'],
      ['2026-10-11', 50, '5.2'], ['2026-10-11', 75, '5.2'], ['2026-10-11', 90, '5.2'], ['2026-10-11', 100, '5.2'],
    ]);
  });

  it('counts days in its own time zone', async () => {
    // 03:00Z is still Oct 9 in New York; 05:00Z is Oct 10 there.
    const ws = await workspaceSpending([['2026-10-10T03:00:00Z', '4'], ['2026-10-10T05:00:00Z', '1.25']]);
    await budget(ws.workspaceId, { period: 'daily', amount: '10', timezone: 'America/New_York' });
    await evaluate(ws.workspaceId, '2026-10-10T12:00:00Z');
    expect(await statusOf(ws.workspaceId)).toMatchObject({ spend: '1.25', periodStart: '2026-10-10T04:00:00.000Z', periodEnd: '2026-10-11T04:00:00.000Z' });
  });
});

describe('a rolling 7-day budget', () => {
  it('moves with time: spend leaves the window and its thresholds re-arm', async () => {
    const ws = await workspaceSpending([['2026-10-01T12:00:00Z', '8'], ['2026-10-05T12:00:00Z', '4']]);
    await budget(ws.workspaceId, { period: 'rolling', rollingDays: 7, amount: '10', forecastAlerts: false });
    await evaluate(ws.workspaceId, '2026-10-06T00:00:00Z');
    expect((await statusOf(ws.workspaceId)).spend).toBe('12');
    expect((await alerts(ws.workspaceId)).map((a) => a.threshold)).toEqual([50, 75, 90, 100]);

    await evaluate(ws.workspaceId, '2026-10-09T00:00:00Z'); // Oct 1 has left the window
    expect(await statusOf(ws.workspaceId)).toMatchObject({ spend: '4', reached: [] });
    await ingest(ws, [['2026-10-09T12:00:00Z', '2']]);
    await evaluate(ws.workspaceId, '2026-10-10T00:00:00Z');
    expect((await alerts(ws.workspaceId)).map((a) => [a.threshold, a.spend])).toEqual([
      [50, '12'], [75, '12'], [90, '12'], [100, '12'], [50, '6'],
    ]);
  });
});

describe('a paused budget', () => {
  it('is never evaluated and never alerts', async () => {
    const ws = await workspaceSpending([['2026-10-10T12:00:00Z', '50']]);
    const b = await budget(ws.workspaceId, { period: 'monthly', amount: '10' });
    await p.pool.query('UPDATE budgets SET paused = true WHERE id = $1', [b.id]);
    expect((await evaluate(ws.workspaceId, '2026-10-11T00:00:00Z')).budgets).toBe(0);
    expect(await alerts(ws.workspaceId)).toEqual([]);
  });
});

describe('a work-item budget', () => {
  it('counts a call shared with other work items by its share, so the items\' spends add up to the calls\'', async () => {
    const ws = await workspaceWithKey(p.pool, ['ingest']);
    await ingestAndWait(p, ws, [
      { occurred_at: '2026-10-10T12:00:00Z', provider: 'anthropic', model: 'claude-sonnet-4-5', cost: '30', work_items: ['WRK-1', 'WRK-2'] },
      { occurred_at: '2026-10-10T13:00:00Z', provider: 'anthropic', model: 'claude-sonnet-4-5', cost: '5', work_item: 'WRK-1' },
      { occurred_at: '2026-10-10T14:00:00Z', provider: 'anthropic', model: 'claude-sonnet-4-5', cost: '0.01', work_items: ['WRK-1', 'WRK-2', 'WRK-3'] },
    ]);
    const one = await budget(ws.workspaceId, { period: 'monthly', amount: '100', scope: [{ member: 'work_item', values: ['WRK-1'] }] });
    const two = await budget(ws.workspaceId, { period: 'monthly', amount: '100', scope: [{ member: 'work_item', values: ['WRK-2', 'WRK-3'] }] });
    const rest = await budget(ws.workspaceId, { period: 'monthly', amount: '100', scope: [{ member: 'work_item', operator: 'notEquals', values: ['WRK-1'] }] });
    await evaluate(ws.workspaceId, '2026-10-11T00:00:00Z');
    const spend = new Map((await budgetStatuses(p.pool, ws.workspaceId)).map((s) => [s.budgetId, s.spend]));
    // 0.01 in three shares (0.333333333334 to WRK-1, 0.333333333333 to each of the others): 0.00333333333334 and 0.00333333333333.
    expect([spend.get(one.id), spend.get(two.id), spend.get(rest.id)]).toEqual(['20.00333333333334', '15.00666666666666', '15.00666666666666']);
  });
});
