// The SDK's typed queries (breakdown, timeseries, guardCheck) against the real API, its answers
// compared with SQL over the stored events; and the generated types kept in step with the schema.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, graphqlData, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';
import { QueryError, type QueryOptions, Spendgraph, breakdown, guardCheck, timeseries } from '../src/index.ts';

const run = promisify(execFile);
const NOW = new Date('2026-12-02T12:00:00Z'); // the guard's daily budget is this day's
let p: Platform;
let ws: { workspaceId: string; key: string };
let o: QueryOptions;

const EVENTS = [
  { occurred_at: '2026-12-01T09:00:00Z', provider: 'openai', model: 'gpt-4o-mini', feature: 'search', cost: '0.125' },
  { occurred_at: '2026-12-01T10:00:00Z', provider: 'anthropic', model: 'claude-sonnet-4-5', feature: 'search', cost: '0.5' },
  { occurred_at: '2026-12-02T10:00:00Z', provider: 'openai', model: 'gpt-4o', feature: 'chat', cost: '1.25' },
  { occurred_at: '2026-12-02T11:00:00Z', provider: 'anthropic', model: 'claude-sonnet-4-5', feature: 'chat', cost: '2.5' },
  { occurred_at: '2026-12-02T11:30:00Z', provider: 'openai', model: 'gpt-4o', feature: 'chat', cost: '0.000001' },
];
const RANGE = { from: '2026-12-01', to: '2026-12-02T23:59:59.999' };

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  o = { baseUrl: p.apiUrl, apiKey: ws.key };
  await ingestAndWait(p, ws, EVENTS);
});
afterAll(async () => p?.stop());

const sql = async (text: string) => (await p.pool.query(text, [ws.workspaceId])).rows;
const measure = (n: { measures: Array<{ measure: string; value: string | null }> }, m: string) => n.measures.find((x) => x.measure === m)?.value;
const same = (a: string | null | undefined, b: string) => expect(Number(a)).toBe(Number(b)); // numeric's scale aside

describe('typed queries', () => {
  it('breakdown: a tree whose nodes are SQL\'s sums per provider and model', async () => {
    const tree = await breakdown(o, { measures: ['total_cost', 'calls'], by: ['provider', 'model'], timeRange: RANGE });
    const [total] = await sql(`SELECT sum(total_cost)::text AS cost, count(*)::int AS calls FROM usage_events WHERE workspace_id = $1`);
    same(measure(tree, 'total_cost'), total.cost);
    expect(Number(measure(tree, 'calls'))).toBe(EVENTS.length);
    expect(tree.period).toMatchObject({ from: '2026-12-01T00:00:00Z', partial: true, timezone: 'UTC' }); // it holds NOW
    const rows = await sql(`SELECT provider, model, sum(total_cost)::text AS cost FROM usage_events WHERE workspace_id = $1 GROUP BY 1, 2`);
    const fromTree = tree.children.flatMap((prov) => prov.children.map((m) => ({ provider: prov.value, model: m.value, cost: Number(measure(m, 'total_cost')) })));
    expect(fromTree.sort((a, b) => `${a.provider}${a.model}`.localeCompare(`${b.provider}${b.model}`)))
      .toEqual(rows.map((r) => ({ provider: r.provider, model: r.model, cost: Number(r.cost) })).sort((a, b) => `${a.provider}${a.model}`.localeCompare(`${b.provider}${b.model}`)));
    // The client's method is the same query with its own key.
    const sg = new Spendgraph(o);
    expect(await sg.breakdown({ measures: ['total_cost', 'calls'], by: ['provider', 'model'], timeRange: RANGE })).toEqual(tree);
    await sg.close();
  });

  it('timeseries: one series per feature, each day\'s point SQL\'s sum', async () => {
    const ts = await timeseries(o, { measures: ['total_cost'], granularity: 'day', by: ['feature'], timeRange: RANGE });
    expect(ts.granularity).toBe('day');
    const rows = await sql(`SELECT feature, to_char(date_trunc('day', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, sum(total_cost)::text AS cost
                              FROM usage_events WHERE workspace_id = $1 GROUP BY 1, 2`);
    const points = ts.series.flatMap((s) => s.points.filter((pt) => measure(pt, 'total_cost') !== null && Number(measure(pt, 'total_cost')) !== 0)
      .map((pt) => ({ feature: s.key[0]!.value, day: pt.time.slice(0, 10), cost: Number(measure(pt, 'total_cost')) })));
    const key = (r: { feature: string | null; day: string }) => `${r.feature}${r.day}`;
    expect(points.sort((a, b) => key(a).localeCompare(key(b))))
      .toEqual(rows.map((r) => ({ feature: r.feature, day: r.day, cost: Number(r.cost) })).sort((a, b) => key(a).localeCompare(key(b))));
  });

  it('guardCheck: a hard budget over its limit denies work in its scope only', async () => {
    await graphqlData(p.apiUrl, ws.key, 'mutation ($i: BudgetInput!) { createBudget(input: $i) { id } }',
      { i: { name: 'chat daily', period: 'daily', amount: '3', mode: 'hard', scope: [{ member: 'feature', values: ['chat'] }] } });
    const [chat] = await sql(`SELECT sum(total_cost)::text AS cost FROM usage_events WHERE workspace_id = $1 AND feature = 'chat' AND occurred_at >= '2026-12-02'`);
    const denied = await guardCheck(o, { feature: 'chat' });
    expect(denied).toMatchObject({ allow: false, applicable: 1, remaining: '0' });
    expect(denied.budgets[0]).toMatchObject({ name: 'chat daily', mode: 'hard', period: 'daily', blocking: true, amount: '3' });
    same(denied.budgets[0]!.spend, chat.cost);
    expect(await guardCheck(o, [{ dimension: 'feature', value: 'search' }])).toMatchObject({ allow: true, applicable: 0, budgets: [] });
  });

  it('refusals are QueryErrors naming the code and field', async () => {
    const err = await breakdown(o, { measures: ['no_such_measure'], by: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect(err.errors[0].code).toBeTruthy();
    const ingestOnly = await workspaceWithKey(p.pool, ['ingest']);
    const forbidden = await guardCheck({ ...o, apiKey: ingestOnly.key }, { feature: 'chat' }).catch((e) => e);
    expect(forbidden).toBeInstanceOf(QueryError);
    expect(forbidden.errors[0].code).toBe('FORBIDDEN');
  });

  it('the generated types are those of the schema and documents as they are (the check scripts/test.sh runs)', async () => {
    const script = fileURLToPath(new URL('../../../apps/web/scripts/graphql-types.ts', import.meta.url));
    await expect(run(process.execPath, [script, '--check'])).resolves.toBeDefined();
  });
});

// Compile-time checks (tsc runs over tests): the variables and answers are the schema's.
export function typeChecks() {
  // @ts-expect-error granularity is one of the schema's enum values
  void timeseries(o, { measures: ['total_cost'], granularity: 'fortnight' });
  // @ts-expect-error measures are required
  void breakdown(o, { by: ['provider'] });
  void guardCheck(o, { feature: 'chat' }).then((d) => {
    // @ts-expect-error remaining is a decimal string, not a number
    const n: number = d.remaining;
    return n;
  });
}
