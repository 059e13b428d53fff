// Plans, tasks and work items through the real API: created on ingest, upserted
// over REST and GraphQL, joined to usage in the Cube model; plan comparison and
// outliers against figures computed here from the fixture.
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let a: { workspaceId: string; key: string };
let b: { workspaceId: string; key: string };

const gql = (key: string, query: string, variables: Record<string, unknown> = {}) => graphqlRequest(p.apiUrl, key, query, variables);
const ok = (key: string, query: string, variables: Record<string, unknown> = {}) => graphqlData(p.apiUrl, key, query, variables);
const put = (key: string, path: string, body: unknown) =>
  fetch(`${p.apiUrl}/v1/${path}`, { method: 'PUT', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

const ingest = (ws: { workspaceId: string; key: string }, events: Array<Record<string, unknown>>) =>
  ingestAndWait(p, ws, events.map((e) => ({ occurred_at: new Date(Date.now() - 3_600_000).toISOString(), provider: 'anthropic', step: 'implement', agent: 'coder', ...e })));

/** Seven plans of two done tasks each; per-task cost ~1 on sonnet, except plan-7: 10 per task, on opus. */
const PER_TASK = ['1.0', '1.1', '0.9', '1.2', '0.8', '1.05', '10'];

beforeAll(async () => {
  p = await startPlatform();
  a = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  b = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  const events = PER_TASK.flatMap((cost, i) => [1, 2].flatMap((t) => {
    const half = new Decimal(cost).div(2).toFixed();
    const model = i === 6 ? 'claude-opus-4-1' : 'claude-sonnet-4-5';
    const ctx = { plan_id: `plan-${i + 1}`, task_id: `plan-${i + 1}/t${t}`, task_type: 'feature', model, work_item: `WRK-${i + 1}` };
    return [{ ...ctx, cost: half, step: 'plan' }, { ...ctx, cost: half, status: t === 2 && i === 0 ? 'error' : 'ok' }];
  }));
  await ingest(a, events);
  await ingest(b, [{ plan_id: 'plan-1', task_id: 'plan-1/t1', model: 'claude-opus-4-1', cost: '500' }]);
  for (let i = 1; i <= 7; i++) for (const t of [1, 2]) expect((await put(a.key, `tasks/plan-${i}%2Ft${t}`, { status: 'done' })).status).toBe(200);
});
afterAll(async () => p?.stop());

describe('entities', () => {
  it('events create the plans, tasks and work items they name', async () => {
    const data = await ok(a.key, '{ plans { id status } tasks(planId: "plan-1") { id planId taskType status } workItems { id } }');
    expect(data.plans.map((x: any) => x.id).sort()).toEqual(['plan-1', 'plan-2', 'plan-3', 'plan-4', 'plan-5', 'plan-6', 'plan-7']);
    expect(data.plans[0].status).toBe('open');
    expect(data.tasks).toEqual([
      { id: 'plan-1/t1', planId: 'plan-1', taskType: 'feature', status: 'done' },
      { id: 'plan-1/t2', planId: 'plan-1', taskType: 'feature', status: 'done' },
    ]);
    expect(data.workItems).toHaveLength(7);
    expect((await ok(b.key, '{ plans { id } }')).plans).toEqual([{ id: 'plan-1' }]); // B's own plan-1, not A's
  });

  it('are upserted over REST (snake_case) and GraphQL, absent fields kept', async () => {
    const res = await put(a.key, 'plans/plan-1', { name: 'Search rewrite', status: 'in_progress', source_document: 'docs/rfc-12.md' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'plan-1', name: 'Search rewrite', status: 'in_progress', source_document: 'docs/rfc-12.md', closed_at: null });
    const plan = (await ok(a.key, 'mutation { upsertPlan(id: "plan-1", input: { owner: "ana" }) { name owner sourceDocument status } }')).upsertPlan;
    expect(plan).toEqual({ name: 'Search rewrite', owner: 'ana', sourceDocument: 'docs/rfc-12.md', status: 'in_progress' });
    await put(a.key, 'plans/plan-2', { source_document: 'docs/rfc-12.md' });
    await put(a.key, 'plans/plan-3', { source_document: 'docs/rfc-9.md' });
    const item = await put(a.key, 'work-items/WRK-1', { title: 'Fix ranking', repository: 'acme/search', url: 'https://tracker.example/WRK-1' });
    expect(await item.json()).toMatchObject({ id: 'WRK-1', repository: 'acme/search' });
  });

  it('refuses bad input naming the field', async () => {
    const res = await put(a.key, 'tasks/t-x', { status: 'finished', estimate: -1 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).issues.map((i: any) => i.path).sort()).toEqual(['estimate', 'status']);
    expect((await put(a.key, 'plans/plan-1', { colour: 'red' })).status).toBe(400);
    const { body } = await gql(a.key, 'mutation { upsertTask(id: "t-x", input: { taskType: "" }) { id } }');
    expect(body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'input.taskType' });
    const reader = await workspaceWithKey(p.pool, ['read']);
    expect((await put(reader.key, 'plans/p', {})).status).toBe(403);
  });

  it('segment every roll-up: cost per source document and per work item repository', async () => {
    const q = `query ($by: [String!]!) { breakdown(measures: ["total_cost"], by: $by) { children { value measures { value } } } }`;
    const bySource = (await ok(a.key, q, { by: ['plan_source_document'] })).breakdown.children;
    const cost = (v: string | null, rows: any[]) => rows.find((c: any) => c.value === v)?.measures[0].value;
    expect(new Decimal(cost('docs/rfc-12.md', bySource)).toFixed(2)).toBe('4.20'); // plans 1 and 2: 2 x 1.0 + 2 x 1.1
    expect(new Decimal(cost('docs/rfc-9.md', bySource)).toFixed(2)).toBe('1.80');
    const byRepo = (await ok(a.key, q, { by: ['work_item_repository'] })).breakdown.children;
    expect(new Decimal(cost('acme/search', byRepo)).toFixed(2)).toBe('2.00');
  });
});

describe('plan comparison', () => {
  it('profiles two plans side by side and reconciles with their breakdowns', async () => {
    const q = `{ comparePlans(ids: ["plan-1", "plan-7"]) { planId plan { name } measures { measure value }
      byStep { value share measures { measure value } } byModel { value share } byTaskType { value measures { measure value } } } }`;
    const [one, seven] = (await ok(a.key, q)).comparePlans;
    const v = (p: any, m: string) => p.measures.find((x: any) => x.measure === m).value;
    expect(one.plan.name).toBe('Search rewrite');
    expect(new Decimal(v(one, 'total_cost')).toFixed(2)).toBe('2.00');
    expect(v(one, 'completed_tasks')).toBe('2');
    expect(new Decimal(v(one, 'cost_per_completed_task')).toFixed(6)).toBe('1.000000');
    expect(new Decimal(v(one, 'completed_tasks_per_dollar')).toFixed(6)).toBe('1.000000');
    expect(Number(v(one, 'error_rate'))).toBe(25); // 1 of 4 calls
    expect(new Decimal(v(seven, 'cost_per_completed_task')).toFixed(2)).toBe('10.00');
    expect(seven.byModel).toEqual([{ value: 'claude-opus-4-1', share: 1 }]);
    // Each plan's steps add up to its total, and its total matches the breakdown by plan.
    const steps = Decimal.sum(...one.byStep.map((s: any) => s.measures.find((x: any) => x.measure === 'total_cost').value));
    expect(steps.equals(v(one, 'total_cost'))).toBe(true);
    const tree = (await ok(a.key, '{ breakdown(measures: ["total_cost"], by: ["plan_id"]) { children { value measures { value } } } }')).breakdown;
    for (const plan of [one, seven]) {
      expect(tree.children.find((c: any) => c.value === plan.planId).measures[0].value).toBe(v(plan, 'total_cost'));
    }
  });

  it('flags the outlier plan with the dimension that explains it', async () => {
    const r = (await ok(a.key, '{ planOutliers { metric plans median mad outliers { planId direction score explanation { dimension value planShare peerShare excessCost } } } }')).planOutliers;
    expect(r).toMatchObject({ metric: 'cost_per_completed_task', plans: 7 });
    expect(r.median).toBeCloseTo(1.05, 6); // per-task costs 0.8 0.9 1.0 1.05 1.1 1.2 10
    expect(r.mad).toBeCloseTo(0.15, 6); // deviations 0 0.05 0.05 0.15 0.15 0.25 8.95
    expect(r.outliers).toHaveLength(1);
    expect(r.outliers[0]).toMatchObject({ planId: 'plan-7', direction: 'high', explanation: { dimension: 'model', value: 'claude-opus-4-1', planShare: 1, peerShare: 0, excessCost: '20' } });
  });

  it('never shows another workspace\'s plans', async () => {
    const [profile] = (await ok(b.key, '{ comparePlans(ids: ["plan-7"]) { planId plan { id } measures { measure value } } }')).comparePlans;
    expect(profile.plan).toBeNull();
    expect(profile.measures.find((m: any) => m.measure === 'total_cost').value).toBeNull();
    expect((await ok(b.key, '{ planOutliers { plans outliers { planId } } }')).planOutliers).toEqual({ plans: 0, outliers: [] });
  });
});
