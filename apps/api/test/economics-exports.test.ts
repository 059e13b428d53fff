// Unit economics in the exports (issue 17): the FOCUS file holds the events' direct rows and, as
// rows of their own, the cost pools' allocated shares (x_CostType, x_Allocation* columns), so its
// BilledCost adds up to the true cost; the economics export (CSV/JSON) gives direct, allocated and
// true cost, revenue and margin per customer or feature. Every total is checked against
// Query.economics and against raw SQL, to the cent (exactly, in fact); the FOCUS rules hold.
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '@spendgraph/db';
import { validateFocus } from '../src/exports/focus-spec.ts';
import { type Platform, graphqlData, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let ws: { workspaceId: string; key: string };

const NOVEMBER = 'from=2026-11-01&to=2026-11-30';
const CUSTOMERS = ['acme', 'globex', 'initech'];
const FEATURES = ['search', 'chat'];

beforeAll(async () => {
  p = await startPlatform({ now: new Date('2026-12-02T12:00:00Z') });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  const events = [];
  for (let i = 0; i < 24; i++) {
    events.push({
      id: randomUUID(), occurred_at: `2026-11-${String(1 + i).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:15:00Z`,
      provider: i % 3 ? 'openai' : 'anthropic', model: i % 3 ? 'gpt-4o-mini' : 'claude-sonnet-4-5', cost: new Decimal(i + 1).div(7).toDecimalPlaces(9).toFixed(), currency: 'USD',
      usage: { input_tokens: 100 * (i + 1), output_tokens: 10 },
      workflow: ['triage', 'review', 'summarize'][i % 3], customer_id: CUSTOMERS[i % 3], feature: FEATURES[i % 2],
    });
  }
  events.push({ id: randomUUID(), occurred_at: '2026-12-01T09:00:00Z', provider: 'openai', model: 'gpt-4o-mini', cost: '3', currency: 'USD', usage: { input_tokens: 1, output_tokens: 1 }, customer_id: 'acme' });
  await ingestAndWait(p, ws, events);

  const gql = (q: string, v: Record<string, unknown>) => graphqlData(p.apiUrl, ws.key, q, v);
  const pool = async (name: string, amount: string, rule: Record<string, unknown>) => {
    const { createCostPool: { id } } = await gql('mutation ($i: CostPoolInput!) { createCostPool(input: $i) { id } }', { i: { name, amount, month: '2026-11' } });
    await gql('mutation ($id: ID!, $r: AllocationRuleInput!) { setAllocationRule(poolId: $id, rule: $r) { id } }', { id, r: rule });
  };
  await pool('GPU hosts', '2000', { method: 'proportional', measure: 'cost', dimension: 'workflow' });
  await pool('Support', '99.99999999', { method: 'fixed', dimension: 'customer', percentages: [{ value: 'acme', percent: '30' }, { value: 'globex', percent: '70' }] });
  const focus = 'ChargePeriodStart,ServiceName,BilledCost,BillingCurrency\n2026-11-03T00:00:00Z,Amazon OpenSearch Service,400.333333333\n2026-11-20T00:00:00Z,Amazon OpenSearch Service,11.1\n'
    .replace(/333\n/, '333,USD\n').replace(/11\.1\n/, '11.1,USD\n');
  const imported = await fetch(`${p.apiUrl}/v1/cost-pools/focus?dimension=feature&method=even`, { method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': 'text/csv' }, body: focus });
  expect(imported.status).toBe(201);
  const revenue = CUSTOMERS.flatMap((c, i) => FEATURES.map((f, j) => ({ id: `inv-${c}-${f}`, day: `2026-11-${10 + i}`, customer_id: c, feature: f, amount: new Decimal(300 * i + 41.07 * j).plus('0.005').toFixed() })));
  const res = await fetch(`${p.apiUrl}/v1/revenue`, { method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': 'application/json' }, body: JSON.stringify(revenue) });
  expect(res.status).toBe(201);
}, 240_000);
afterAll(async () => p?.stop());

const get = (path: string, key = ws.key) => fetch(`${p.apiUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
async function csvOf(path: string, key = ws.key) {
  const res = await get(path, key);
  expect(res.status, path).toBe(200);
  const text = await res.text();
  return { res, header: text.split('\n')[0]!.split(','), rows: parse(text, { columns: true }) as Array<Record<string, string>> };
}
const ECON = 'query ($by: [String!]!) { economics(from: "2026-11-01", to: "2026-11-30", by: $by) { key directCost allocatedCost trueCost revenue margin } }';
const economics = async (by: string[], key = ws.key) => (await graphqlData(p.apiUrl, key, ECON, { by })).economics as Array<Record<string, any>>;
const sum = (values: Array<string | null | undefined>) => values.reduce((s, v) => s.plus(v || 0), new Decimal(0));

/** Raw SQL: November's direct cost, pools and revenue. */
async function sqlTotals() {
  const { rows: [r] } = await p.pool.query(
    `SELECT (SELECT sum(total_cost) FROM usage_events WHERE workspace_id = $1 AND occurred_at >= '2026-11-01Z' AND occurred_at < '2026-12-01Z')::text AS direct,
            (SELECT sum(amount) FROM cost_pools WHERE workspace_id = $1 AND month = '2026-11-01')::text AS pools,
            (SELECT sum(amount) FROM revenue_entries WHERE workspace_id = $1 AND day BETWEEN '2026-11-01' AND '2026-11-30')::text AS revenue`, [ws.workspaceId]);
  return r as { direct: string; pools: string; revenue: string };
}

describe('the FOCUS export: direct rows and the pools allocated shares', () => {
  it('adds up to direct, allocated and true cost exactly (GraphQL and SQL); the FOCUS rules hold', async () => {
    const { res, header, rows } = await csvOf(`/v1/exports/focus?${NOVEMBER}`);
    expect(validateFocus(header, rows)).toEqual([]);
    for (const c of ['x_CostType', 'x_AllocatedFromPool', 'x_AllocationMethod', 'x_AllocationBasis', 'x_AllocationDimension', 'x_AllocationValue']) expect(header).toContain(c);
    const direct = rows.filter((r) => r.x_CostType === 'Direct');
    const allocated = rows.filter((r) => r.x_CostType === 'Allocated');
    expect(direct.length + allocated.length).toBe(rows.length);
    expect(res.headers.get('x-spendgraph-allocated-rows')).toBe(String(allocated.length));

    const [total] = await economics([]);
    const sql = await sqlTotals();
    expect(sum(direct.map((r) => r.BilledCost)).toFixed()).toBe(new Decimal(total!.directCost).toFixed());
    expect(sum(direct.map((r) => r.BilledCost)).equals(sql.direct)).toBe(true);
    expect(sum(allocated.map((r) => r.BilledCost)).toFixed()).toBe(new Decimal(total!.allocatedCost).toFixed());
    expect(sum(allocated.map((r) => r.BilledCost)).equals(sql.pools)).toBe(true);
    expect(sum(rows.map((r) => r.BilledCost)).toFixed()).toBe(new Decimal(total!.trueCost).toFixed());
    expect(sum(rows.map((r) => r.EffectiveCost)).toFixed()).toBe(new Decimal(total!.trueCost).toFixed());
  });

  it('each share names its pool, rule and value, and equals the model\'s allocation of that value', async () => {
    const { rows } = await csvOf(`/v1/exports/focus?${NOVEMBER}`);
    const gpu = rows.filter((r) => r.x_AllocatedFromPool === 'GPU hosts');
    expect(gpu.map((r) => r.x_AllocationValue).sort()).toEqual(['review', 'summarize', 'triage']);
    const byPool = await economics(['pool', 'workflow']);
    for (const r of gpu) {
      expect(r).toMatchObject({ x_AllocationMethod: 'proportional', x_AllocationBasis: 'cost', x_AllocationDimension: 'workflow', ChargeCategory: 'Purchase', ChargeFrequency: 'Recurring', ServiceName: 'GPU hosts', ChargePeriodStart: '2026-11-01T00:00:00Z', ChargePeriodEnd: '2026-12-01T00:00:00Z' });
      expect(JSON.parse(r.Tags!)).toEqual({ x_spendgraph_pool: 'GPU hosts', x_spendgraph_workflow: r.x_AllocationValue });
      expect(r.BilledCost).toBe(byPool.find((e) => e.key[0] === 'GPU hosts' && e.key[1] === r.x_AllocationValue)!.allocatedCost);
    }
    const support = rows.filter((r) => r.x_AllocatedFromPool === 'Support');
    expect(support.map((r) => [r.x_AllocationValue, r.BilledCost, r.x_AllocationMethod, JSON.parse(r.Tags!).x_spendgraph_customer_id]).sort())
      .toEqual([['acme', '30', 'fixed', 'acme'], ['globex', '69.99999999', 'fixed', 'globex']]);
    const search = rows.filter((r) => r.x_AllocatedFromPool === 'Amazon OpenSearch Service');
    expect(search.map((r) => [r.x_AllocationValue, r.BilledCost, r.x_AllocationMethod]).sort()).toEqual([['chat', '205.71666667', 'even'], ['search', '205.71666666', 'even']]);
  });

  it('with filters the shares are left out and the header says so; December has no November pools; another workspace sees none', async () => {
    const filters = encodeURIComponent(JSON.stringify([{ member: 'provider', operator: 'equals', values: ['openai'] }]));
    const filtered = await csvOf(`/v1/exports/focus?${NOVEMBER}&filters=${filters}`);
    expect(filtered.rows.every((r) => r.x_CostType === 'Direct' && r.ProviderName === 'openai')).toBe(true);
    expect(filtered.res.headers.get('x-spendgraph-allocated-rows')).toMatch(/^omitted/);
    const december = await csvOf('/v1/exports/focus?from=2026-12-01&to=2026-12-31');
    expect(december.rows.filter((r) => r.x_CostType === 'Allocated')).toEqual([]);
    expect(sum(december.rows.map((r) => r.BilledCost)).toFixed()).toBe('3');
    // A key confined to one customer exports that customer's direct rows; pool shares have no customer to confine them to.
    const { key: acme } = await issueApiKey(p.pool, ws.workspaceId, { name: 'acme only', scopes: ['read'], restriction: { customer_id: 'acme' } });
    const confined = await csvOf(`/v1/exports/focus?${NOVEMBER}`, acme);
    expect(confined.rows.length).toBeGreaterThan(0);
    expect(confined.rows.every((r) => r.x_CostType === 'Direct' && JSON.parse(r.Tags!).x_spendgraph_customer_id === 'acme')).toBe(true);
    expect(confined.res.headers.get('x-spendgraph-allocated-rows')).toMatch(/^omitted/);
    const other = await workspaceWithKey(p.pool, ['read']);
    const foreign = await csvOf(`/v1/exports/focus?${NOVEMBER}`, other.key);
    expect(foreign.rows).toEqual([]);
    expect((await csvOf(`/v1/exports/economics?${NOVEMBER}&by=customer_id`, other.key)).rows).toEqual([]);
  });
});

describe('the economics export: revenue, direct, allocated and true cost, margin', () => {
  it('by customer and by feature: the rows are Query.economics\' rows; totals equal SQL; margin = revenue − true cost', async () => {
    const sql = await sqlTotals();
    for (const by of ['customer_id', 'feature']) {
      const { header, rows } = await csvOf(`/v1/exports/economics?${NOVEMBER}&by=${by}`);
      expect(header).toEqual([by, 'direct_cost', 'allocated_cost', 'true_cost', 'revenue', 'margin']);
      const expected = await economics([by]);
      expect(rows).toEqual(expected.map((e) => ({ [by]: e.key[0] ?? '', direct_cost: e.directCost, allocated_cost: e.allocatedCost, true_cost: e.trueCost, revenue: e.revenue, margin: e.margin })));
      for (const r of rows) expect(new Decimal(r.margin!).equals(new Decimal(r.revenue!).minus(r.true_cost!)), `${by} ${r[by]}`).toBe(true);
      expect(sum(rows.map((r) => r.revenue)).equals(sql.revenue)).toBe(true);
      expect(sum(rows.map((r) => r.direct_cost)).equals(sql.direct)).toBe(true);
      expect(sum(rows.map((r) => r.allocated_cost)).equals(sql.pools)).toBe(true);
      expect(sum(rows.map((r) => r.true_cost)).equals(new Decimal(sql.direct).plus(sql.pools))).toBe(true);
    }
    // Some customer loses money (the GPU pool outweighs acme's revenue): the export shows it negative, not as a formula.
    const { rows } = await csvOf(`/v1/exports/economics?${NOVEMBER}&by=customer_id`);
    expect(rows.some((r) => r.margin!.startsWith('-'))).toBe(true);
  });

  it('JSON, relative periods, month and a GraphQL export link give the same figures', async () => {
    const json = await (await get(`/v1/exports/economics?${NOVEMBER}&by=customer_id,month&format=json`)).json() as Array<Record<string, string | null>>;
    const expected = await economics(['customer_id', 'month']);
    expect(json).toEqual(expected.map((e) => ({ customer_id: e.key[0], month: e.key[1], direct_cost: e.directCost, allocated_cost: e.allocatedCost, true_cost: e.trueCost, revenue: e.revenue, margin: e.margin })));
    const relative = await csvOf(`/v1/exports/economics?relative=${encodeURIComponent('last month')}&by=feature`);
    expect(relative.rows).toEqual((await csvOf(`/v1/exports/economics?${NOVEMBER}&by=feature`)).rows);
    const { createExport } = await graphqlData(p.apiUrl, ws.key, 'mutation ($i: ExportInput!) { createExport(input: $i) { url columns } }',
      { i: { shape: 'economics', by: ['feature'], timeRange: { from: '2026-11-01', to: '2026-11-30' } } });
    expect(createExport.columns).toEqual(['feature', 'direct_cost', 'allocated_cost', 'true_cost', 'revenue', 'margin']);
    const linked = await (await fetch(`${p.apiUrl}${createExport.url}`)).text();
    expect(parse(linked, { columns: true })).toEqual(relative.rows);
  });

  it('bad input names the parameter', async () => {
    const refused = async (query: string) => {
      const res = await get(`/v1/exports/economics?${query}`);
      expect(res.status, query).toBe(400);
      return await res.json() as { field?: string };
    };
    expect(await refused('by=customer_id')).toMatchObject({ field: 'from' });
    expect(await refused(`${NOVEMBER}&by=model`)).toMatchObject({ field: 'by' });
    expect(await refused(`${NOVEMBER}&timezone=Europe/Paris`)).toMatchObject({ field: 'timezone' });
    expect(await refused(`${NOVEMBER}&measures=total_cost`)).toMatchObject({ field: 'measures' });
    expect(await refused(`${NOVEMBER}&columns=cost`)).toMatchObject({ field: 'columns[0]' });
    expect(await refused('from=2026-11-30&to=2026-11-01')).toMatchObject({ field: 'to' });
  });
});
