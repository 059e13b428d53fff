// Cost pools allocated by rules, through the model (cube/model/cubes/allocations.yml): a $2,000
// pool over three workflows makes their true costs add up to direct + $2,000 exactly, each share
// equal to a largest-remainder split at 1e-8 computed here from SQL weights; even and fixed rules
// too; pool changes are audited; bad input names the field; other workspaces see nothing.
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let ws: { workspaceId: string; key: string };

const WORKFLOWS = ['triage', 'review', 'summarize'];

beforeAll(async () => {
  p = await startPlatform({ now: new Date('2026-12-02T12:00:00Z') });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  const call = (at: string, workflow: string | undefined, cost: string, tokens: number) => ({
    id: randomUUID(), occurred_at: at, provider: 'openai', model: 'gpt-4o-mini', cost, currency: 'USD', usage: { input_tokens: tokens, output_tokens: 1 },
    ...(workflow ? { workflow, customer_id: `cust-${workflow}` } : {}),
  });
  await ingestAndWait(p, ws, [
    call('2026-11-03T10:00:00Z', 'triage', '0.1', 100),
    call('2026-11-15T10:00:00Z', 'review', '0.2', 50),
    call('2026-11-30T23:59:59Z', 'summarize', '0.4', 7),
    call('2026-11-20T10:00:00Z', 'summarize', '0.000000003', 1),
    call('2026-10-31T23:00:00Z', 'triage', '5', 1), // another month: no weight in November's pools
  ]);
}, 240_000);
afterAll(async () => p?.stop());

const POOL = 'mutation ($i: CostPoolInput!) { createCostPool(input: $i) { id name amount month } }';
const RULE = 'mutation ($id: ID!, $r: AllocationRuleInput!) { setAllocationRule(poolId: $id, rule: $r) { id rule { method measure dimension } } }';
const ECON = 'query ($by: [String!]!) { economics(from: "2026-11-01", to: "2026-11-30", by: $by) { key directCost allocatedCost trueCost revenue margin } }';

const gql = (query: string, vars: Record<string, unknown> = {}, key = ws.key) => graphqlData(p.apiUrl, key, query, vars);

/** Largest remainder at 1e-8: floors, then one unit to the largest remainders (ties by value). */
function split(amount: string, weights: Map<string, Decimal>): Map<string, Decimal> {
  const units = new Decimal(amount).times(1e8);
  const total = [...weights.values()].reduce((s, w) => s.plus(w), new Decimal(0));
  const parts = [...weights].map(([value, w]) => {
    const exact = units.times(w).dividedBy(total);
    return { value, base: exact.floor(), rest: units.times(w).minus(exact.floor().times(total)) };
  });
  let left = units.minus(parts.reduce((s, x) => s.plus(x.base), new Decimal(0))).toNumber();
  parts.sort((a, b) => b.rest.comparedTo(a.rest) || a.value.localeCompare(b.value));
  return new Map(parts.map((x) => [x.value, x.base.plus(left-- > 0 ? 1 : 0).dividedBy(1e8)]));
}

async function november(column: string) {
  const { rows } = await p.pool.query(
    `SELECT workflow, sum(total_cost)::text AS cost, sum(${column})::text AS weight FROM usage_events
      WHERE workspace_id = $1 AND occurred_at >= '2026-11-01T00:00:00Z' AND occurred_at < '2026-12-01T00:00:00Z' GROUP BY workflow`, [ws.workspaceId]);
  return rows as Array<{ workflow: string; cost: string; weight: string }>;
}

const byWorkflow = async () => new Map<string, any>((await gql(ECON, { by: ['workflow'] })).economics.map((r: any) => [r.key[0], r]));

describe('cost pools and allocation rules', () => {
  it('a $2,000 pool in proportion to cost: true costs add up to direct + $2,000 exactly, each share as SQL weights say', async () => {
    const pool = (await gql(POOL, { i: { name: 'vector-db', amount: '2000', month: '2026-11' } })).createCostPool;
    expect(pool).toMatchObject({ name: 'vector-db', amount: '2000', month: '2026-11' });
    await gql(RULE, { id: pool.id, r: { method: 'proportional', measure: 'cost', dimension: 'workflow' } });

    const truth = await november('total_cost');
    const expected = split('2000', new Map(truth.map((t) => [t.workflow, new Decimal(t.weight)])));
    const rows = await byWorkflow();
    const direct = truth.reduce((s, t) => s.plus(t.cost), new Decimal(0));
    for (const t of truth) {
      const r = rows.get(t.workflow);
      expect(new Decimal(r.directCost).equals(t.cost), t.workflow).toBe(true);
      expect(r.allocatedCost, t.workflow).toBe(expected.get(t.workflow)!.toFixed());
      expect(new Decimal(r.trueCost).equals(new Decimal(r.directCost).plus(r.allocatedCost))).toBe(true);
    }
    const sum = (f: string) => [...rows.values()].reduce((s, r) => s.plus(r[f]), new Decimal(0));
    expect(sum('allocatedCost').toFixed()).toBe('2000');
    expect(sum('trueCost').equals(direct.plus(2000))).toBe(true);
    // Not a whole number of cents per workflow: the rounding is what makes it add up.
    expect([...expected.values()].some((v) => v.decimalPlaces() === 8)).toBe(true);
    const pools = (await gql('{ costPools(month: "2026-11") { name amount allocated rule { method measure dimension } } }')).costPools;
    expect(pools).toEqual([{ name: 'vector-db', amount: '2000', allocated: '2000', rule: { method: 'proportional', measure: 'cost', dimension: 'workflow' } }]);
  });

  it('even and fixed rules, and a pool over customers, add up to their amounts exactly', async () => {
    const gpu = (await gql(POOL, { i: { name: 'gpu', amount: '1000.00000001', month: '2026-11' } })).createCostPool;
    await gql(RULE, { id: gpu.id, r: { method: 'even', dimension: 'workflow' } });
    const obs = (await gql(POOL, { i: { name: 'observability', amount: '99.99999999', month: '2026-11' } })).createCostPool;
    await gql(RULE, { id: obs.id, r: { method: 'fixed', dimension: 'workflow', percentages: [{ value: 'triage', percent: '33.3' }, { value: 'review', percent: '33.3' }, { value: 'summarize', percent: '33.4' }] } });
    const tokens = (await gql(POOL, { i: { name: 'contract', amount: '500', month: '2026-11' } })).createCostPool;
    await gql(RULE, { id: tokens.id, r: { method: 'proportional', measure: 'tokens', dimension: 'customer' } });

    const byPool = new Map<string, any>((await gql(ECON, { by: ['pool', 'workflow'] })).economics.map((r: any) => [JSON.stringify(r.key), r]));
    const even = split('1000.00000001', new Map(WORKFLOWS.map((w) => [w, new Decimal(1)])));
    const fixed = split('99.99999999', new Map([['triage', new Decimal('33.3')], ['review', new Decimal('33.3')], ['summarize', new Decimal('33.4')]]));
    for (const w of WORKFLOWS) {
      expect(byPool.get(JSON.stringify(['gpu', w])).allocatedCost).toBe(even.get(w)!.toFixed());
      expect(byPool.get(JSON.stringify(['observability', w])).allocatedCost).toBe(fixed.get(w)!.toFixed());
    }
    // Tokens per customer (events without a customer would share as one more group).
    const { rows } = await p.pool.query(
      `SELECT customer_id, sum(input_tokens + output_tokens)::text AS t FROM usage_events WHERE workspace_id = $1
        AND occurred_at >= '2026-11-01T00:00:00Z' AND occurred_at < '2026-12-01T00:00:00Z' GROUP BY customer_id`, [ws.workspaceId]);
    const byCustomer = split('500', new Map(rows.map((r) => [r.customer_id, new Decimal(r.t)])));
    const customers = (await gql(ECON, { by: ['pool', 'customer_id'] })).economics
      .filter((r: any) => r.key[0] === 'contract');
    expect(new Map(customers.map((r: any) => [r.key[1], r.allocatedCost]))).toEqual(new Map([...byCustomer].map(([k, v]) => [k, v.toFixed()])));

    const pools = (await gql('{ costPools { name amount allocated } }')).costPools;
    for (const pool of pools) expect(pool.allocated, pool.name).toBe(new Decimal(pool.amount).toFixed());
    const total = (await gql(ECON, { by: [] })).economics[0];
    expect(total.allocatedCost).toBe(new Decimal('2000').plus('1000.00000001').plus('99.99999999').plus('500').toFixed());
  });

  it('changes are audited; bad input names the field; another workspace sees none of it', async () => {
    const { rows } = await p.pool.query(`SELECT action, target_type FROM audit_log WHERE workspace_id = $1 AND target_type IN ('cost_pool', 'allocation_rule') ORDER BY occurred_at`, [ws.workspaceId]);
    expect(rows.filter((r) => r.action === 'createCostPool')).toHaveLength(4);
    expect(rows.filter((r) => r.action === 'setAllocationRule')).toHaveLength(4);
    const bad = async (query: string, vars: Record<string, unknown>) => (await graphqlRequest(p.apiUrl, ws.key, query, vars)).body.errors[0].extensions;
    expect(await bad(POOL, { i: { name: 'x', amount: '1.123456789', month: '2026-11' } })).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'input.amount' });
    expect(await bad(POOL, { i: { name: 'x', amount: '1', month: '2026-13' } })).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'input.month' });
    const pool = (await gql(POOL, { i: { name: 'x', amount: '1', month: '2026-11' } })).createCostPool;
    expect(await bad(RULE, { id: pool.id, r: { method: 'fixed', dimension: 'feature', percentages: [{ value: 'a', percent: '50' }] } })).toMatchObject({ field: 'rule.percentages' });
    expect(await bad(RULE, { id: pool.id, r: { method: 'proportional', dimension: 'feature' } })).toMatchObject({ field: 'rule.measure' });
    expect(await bad(ECON, { by: ['model'] })).toMatchObject({ field: 'by' });
    const other = await workspaceWithKey(p.pool, ['read', 'admin']);
    expect((await gql('{ costPools { id } }', {}, other.key)).costPools).toEqual([]);
    expect((await gql(ECON, { by: ['pool'] }, other.key)).economics).toEqual([]);
    const foreign = await graphqlRequest(p.apiUrl, other.key, RULE, { id: pool.id, r: { method: 'even', dimension: 'plan' } });
    expect(foreign.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'poolId' });
  });

  it('revenue by REST, CSV and a Stripe invoice event; margin = revenue − true cost per customer, feature and month', async () => {
    const post = (path: string, body: string, type = 'application/json') =>
      fetch(`${p.apiUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': type }, body });
    const json = '[{"id":"r1","day":"2026-11-10","customer_id":"cust-triage","feature":"search","amount":1000.123456789},{"id":"r2","day":"2026-11-11","customer_id":"cust-review","amount":"0.5"}]';
    expect(await (await post('/v1/revenue', json)).json()).toEqual({ stored: 2, duplicates: 0 });
    expect(await (await post('/v1/revenue', json)).json()).toEqual({ stored: 0, duplicates: 2 });
    const csv = 'id,day,customer_id,feature,amount\nc1,2026-11-12,cust-summarize,search,3.30\n';
    expect((await post('/v1/revenue', csv, 'text/csv')).status).toBe(201);
    const stripe = JSON.stringify({
      id: 'evt_1', type: 'invoice.paid', data: { object: {
        id: 'in_1', customer: 'cus_9', currency: 'usd', created: 1795132800, metadata: { customer_id: 'cust-triage' },
        status_transitions: { paid_at: 1795996800 }, // 2026-11-30T00:00:00Z
        lines: { data: [{ id: 'il_1', amount: 2599, metadata: { feature: 'chat' } }, { id: 'il_2', amount: 1, metadata: {} }] } } },
    });
    expect(await (await post('/v1/revenue/stripe', stripe)).json()).toEqual({ stored: 2, duplicates: 0 });
    expect((await post('/v1/revenue/stripe', JSON.stringify({ id: 'evt_2', type: 'customer.created', data: { object: { id: 'c', currency: 'usd', created: 1, lines: { data: [] } } } }))).status).toBe(202);
    const badCsv = await post('/v1/revenue', 'id,day,amount\nx,2026-11-12,lots\n', 'text/csv');
    expect([badCsv.status, await badCsv.json()]).toMatchObject([400, { field: 'amount', line: 2 }]);
    expect(await (await post('/v1/revenue', '[{"id":"y","day":"2026-11-31","amount":"1"}]')).json()).toMatchObject({ field: '0.day' });

    const { rows } = await p.pool.query(`SELECT customer_id, sum(amount)::text AS revenue FROM revenue_entries WHERE workspace_id = $1 GROUP BY 1`, [ws.workspaceId]);
    expect(new Map(rows.map((r) => [r.customer_id, r.revenue]))).toEqual(new Map([['cust-triage', '1026.123456789'], ['cust-review', '0.5'], ['cust-summarize', '3.3']]));
    for (const by of [['customer_id'], ['feature'], ['month'], ['customer_id', 'feature', 'month']]) {
      for (const r of (await gql(ECON, { by })).economics) {
        expect(new Decimal(r.margin).equals(new Decimal(r.revenue).minus(r.trueCost)), `${by} ${r.key}`).toBe(true);
      }
    }
    const customers = new Map<string, any>((await gql(ECON, { by: ['customer_id'] })).economics.map((r: any) => [r.key[0], r]));
    for (const r of rows) expect(new Decimal(customers.get(r.customer_id).revenue).equals(r.revenue), r.customer_id).toBe(true);
  });

  it('pools of months apart each allocate over their own month only, read over a range spanning them', async () => {
    // The model reads the events of the pools' months once, within the first and last pool month:
    // a month between them (here October has a pool, December none) must add no weight.
    const oct = (await gql(POOL, { i: { name: 'october', amount: '7', month: '2026-10' } })).createCostPool;
    await gql(RULE, { id: oct.id, r: { method: 'proportional', measure: 'calls', dimension: 'workflow' } });
    const sep = (await gql(POOL, { i: { name: 'september', amount: '3', month: '2026-09' } })).createCostPool;
    await gql(RULE, { id: sep.id, r: { method: 'even', dimension: 'workflow' } });
    const SPAN = 'query ($by: [String!]!) { economics(from: "2026-09-01", to: "2026-12-31", by: $by) { key directCost allocatedCost } }';
    const rows = (await gql(SPAN, { by: ['pool', 'workflow'] })).economics as Array<{ key: Array<string | null>; directCost: string; allocatedCost: string }>;
    const allocated = (pool: string) => new Map(rows.filter((r) => r.key[0] === pool).map((r) => [r.key[1], r.allocatedCost]));
    expect(allocated('october')).toEqual(new Map([['triage', '7']])); // October's one event
    expect(allocated('september').size).toBe(0); // no events in September: nothing to allocate over
    const truth = await november('total_cost');
    expect(allocated('vector-db')).toEqual(new Map([...split('2000', new Map(truth.map((t) => [t.workflow, new Decimal(t.weight)])))].map(([k, v]) => [k, v.toFixed()])));
    const months = (await gql(SPAN, { by: ['month'] })).economics as Array<{ key: string[]; directCost: string }>;
    const { rows: raw } = await p.pool.query(
      `SELECT to_char(date_trunc('month', occurred_at, 'UTC'), 'YYYY-MM') AS month, sum(total_cost)::text AS cost FROM usage_events
        WHERE workspace_id = $1 GROUP BY 1`, [ws.workspaceId]);
    expect(new Map(months.filter((m) => new Decimal(m.directCost).gt(0)).map((m) => [m.key[0], new Decimal(m.directCost).toFixed()])))
      .toEqual(new Map(raw.map((r) => [r.month, new Decimal(r.cost).toFixed()])));
  });
});
