// Cost pools imported from a FOCUS 1.x file (POST /v1/cost-pools/focus, Mutation.importCostPools):
// one pool per service (or chosen column) and charge month, its amount the file's lines summed
// exactly — re-derived here line by line and by Postgres; a re-import changes nothing; the pools
// allocate like pools entered by hand and their shares add up to the file's total to the cent
// (exactly, in fact); bad input is refused whole with 400 naming the line and column; other
// workspaces and read-only keys get nothing.
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let ws: { workspaceId: string; key: string };

// An AWS-shaped FOCUS 1.2 export: quoted names with commas, 10-decimal amounts, a credit, a
// zero-cost line, two months, a line without a ServiceName.
const HEADER = 'BillingAccountId,ChargePeriodStart,ChargePeriodEnd,ServiceCategory,ServiceName,ProviderName,ChargeCategory,BilledCost,EffectiveCost,BillingCurrency';
const LINES: Array<[string, string, string, string, string]> = [
  // day, category, service, billed, effective
  ['2026-11-01', 'Databases', 'Amazon OpenSearch Service', '412.1234567891', '400'],
  ['2026-11-02', 'Databases', 'Amazon OpenSearch Service', '399.8765432109', '400'],
  ['2026-11-03', 'Compute', 'Amazon EC2, GPU "p5"', '1200.00000000004', '1100'],
  ['2026-11-04', 'Compute', 'Amazon EC2, GPU "p5"', '-200', '-100'],
  ['2026-11-05', 'Management and Governance', 'Amazon CloudWatch', '0', '0'],
  ['2026-11-30', 'Other', '', '12.5', '12.5'],
  ['2026-12-01', 'Databases', 'Amazon OpenSearch Service', '13.37', '13'],
];
const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const focusCsv = (lines = LINES) => `${HEADER}\n${lines.map(([d, cat, svc, billed, eff]) =>
  ['123456789012', `${d}T00:00:00Z`, `${d}T01:00:00Z`, cat, svc, 'AWS', 'Usage', billed, eff, 'USD'].map(csvField).join(',')).join('\n')}\n`;

beforeAll(async () => {
  p = await startPlatform({ now: new Date('2026-12-02T12:00:00Z') });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  const call = (at: string, workflow: string, cost: string) => ({
    id: randomUUID(), occurred_at: at, provider: 'openai', model: 'gpt-4o-mini', cost, currency: 'USD', usage: { input_tokens: 10, output_tokens: 1 }, workflow,
  });
  await ingestAndWait(p, ws, [
    call('2026-11-03T10:00:00Z', 'triage', '0.1'), call('2026-11-15T10:00:00Z', 'review', '0.2'), call('2026-11-29T10:00:00Z', 'summarize', '0.4'),
    call('2026-12-01T10:00:00Z', 'triage', '0.3'),
  ]);
}, 240_000);
afterAll(async () => p?.stop());

const post = (body: string, query = '', key = ws.key) =>
  fetch(`${p.apiUrl}/v1/cost-pools/focus${query}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' }, body });
const gql = (query: string, vars: Record<string, unknown> = {}, key = ws.key) => graphqlData(p.apiUrl, key, query, vars);
const ECON = 'query ($from: String!, $to: String!, $by: [String!]!) { economics(from: $from, to: $to, by: $by) { key directCost allocatedCost trueCost } }';

/** The file's pools re-derived here: lines summed per (service, month), rounded half even to 1e-8, kept when above 0. */
function expectedPools(lines = LINES, column: 1 | 2 = 2, cost: 3 | 4 = 3) {
  const sums = new Map<string, Decimal>();
  for (const l of lines) {
    const key = JSON.stringify([l[column] || `(no ${column === 2 ? 'ServiceName' : 'ServiceCategory'})`, l[0].slice(0, 7)]);
    sums.set(key, (sums.get(key) ?? new Decimal(0)).plus(l[cost]));
  }
  const rounded = [...sums].map(([k, v]) => [k, v.toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN)] as const);
  return new Map(rounded.filter(([, v]) => v.gt(0)));
}

async function storedPools(workspaceId = ws.workspaceId) {
  const { rows } = await p.pool.query(`SELECT name, to_char(month, 'YYYY-MM') AS month, amount::text, source FROM cost_pools WHERE workspace_id = $1 ORDER BY month, name`, [workspaceId]);
  return rows as Array<{ name: string; month: string; amount: string; source: string }>;
}

describe('cost pools from a FOCUS file', () => {
  it('makes one pool per service and month, the lines summed exactly; a re-import changes nothing', async () => {
    const res = await post(focusCsv(), '?dimension=workflow&measure=cost');
    expect(res.status).toBe(201);
    const body = await res.json() as any;
    const expected = expectedPools();
    expect(body).toMatchObject({ lines: LINES.length, created: expected.size, updated: 0, unchanged: 0 });
    expect(body.skipped).toEqual([{ name: 'Amazon CloudWatch', month: '2026-11', amount: '0', lines: 1 }]);
    const stored = await storedPools();
    expect(new Map(stored.map((s) => [JSON.stringify([s.name, s.month]), new Decimal(s.amount)]))).toEqual(expected);
    expect(stored.every((s) => s.source === 'focus')).toBe(true);
    // The GPU pool nets the credit, and keeps the amount the file gives to 1e-8.
    expect(stored.find((s) => s.name === 'Amazon EC2, GPU "p5"')!.amount).toBe('1000');
    expect(stored.find((s) => s.name === 'Amazon OpenSearch Service' && s.month === '2026-11')!.amount).toBe('812');
    expect(stored.find((s) => s.name === '(no ServiceName)')!.amount).toBe('12.5');

    // Postgres agrees: the file's November lines (credit included) equal the pools' November total to the cent, and
    // differ by less than the 1e-8 a pool keeps (the GPU lines' 4e-14).
    const { rows: [sql] } = await p.pool.query(
      `WITH f AS (SELECT sum(v) AS t FROM unnest($1::numeric[]) v), q AS (SELECT sum(amount) AS t FROM cost_pools WHERE workspace_id = $2 AND month = '2026-11-01')
       SELECT round(f.t, 2) = round(q.t, 2) AND abs(f.t - q.t) < 0.00000001 AS same FROM f, q`,
      [LINES.filter((l) => l[0].startsWith('2026-11')).map((l) => l[3]), ws.workspaceId]);
    expect(sql.same).toBe(true);

    const again = await (await post(focusCsv(), '?dimension=workflow&measure=cost')).json() as any;
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: expected.size });
    expect(await storedPools()).toEqual(stored);
    const revised = LINES.map((l, i) => (i === 0 ? [l[0], l[1], l[2], '500.1234567891', l[4]] : l)) as typeof LINES;
    expect(await (await post(focusCsv(revised))).json()).toMatchObject({ created: 0, updated: 1, unchanged: expected.size - 1 });
    expect((await storedPools()).find((s) => s.name === 'Amazon OpenSearch Service' && s.month === '2026-11')!.amount).toBe('900');
    await post(focusCsv());
  });

  it('the pools allocate by their rule like any pool: allocated = the file total of the month, exactly; true = direct + allocated', async () => {
    const pools = (await gql('{ costPools(month: "2026-11") { name amount source allocated rule { method measure dimension } } }')).costPools;
    expect(pools.length).toBe(3);
    for (const pool of pools) {
      expect(pool).toMatchObject({ source: 'focus', rule: { method: 'proportional', measure: 'cost', dimension: 'workflow' } });
      expect(pool.allocated, pool.name).toBe(pool.amount);
    }
    const rows = (await gql(ECON, { from: '2026-11-01', to: '2026-11-30', by: ['workflow'] })).economics;
    const sum = (f: string) => rows.reduce((s: Decimal, r: any) => s.plus(r[f]), new Decimal(0));
    const fileNovember = LINES.filter((l) => l[0].startsWith('2026-11')).reduce((s, l) => s.plus(l[3]), new Decimal(0));
    expect(sum('allocatedCost').toDecimalPlaces(2).equals(fileNovember.toDecimalPlaces(2))).toBe(true);
    expect(sum('allocatedCost').toFixed()).toBe('1824.5');
    expect(sum('directCost').toFixed()).toBe('0.7');
    expect(sum('trueCost').toFixed()).toBe('1825.2');
    // Each workflow's share in proportion to its cost (0.1 : 0.2 : 0.4 of 1824.5).
    const triage = rows.find((r: any) => r.key[0] === 'triage');
    expect(new Decimal(triage.allocatedCost).minus(new Decimal('1824.5').times(0.1).div(0.7)).abs().lt('0.0000001')).toBe(true);
  });

  it('groups by another column and sums EffectiveCost when asked (GraphQL too)', async () => {
    const other = await workspaceWithKey(p.pool, ['read', 'admin']);
    const MUTATION = `mutation ($i: FocusPoolImportInput!) { importCostPools(input: $i) { pools { name month amount source rule { method dimension } } skipped { name } lines created updated unchanged } }`;
    const out = (await gql(MUTATION, { i: { csv: focusCsv(), groupBy: 'ServiceCategory', cost: 'EffectiveCost', rule: { method: 'even', dimension: 'workflow' } } }, other.key)).importCostPools;
    const expected = expectedPools(LINES, 1, 4);
    expect(out).toMatchObject({ lines: LINES.length, created: expected.size, updated: 0, unchanged: 0 });
    expect(new Map(out.pools.map((x: any) => [JSON.stringify([x.name, x.month]), new Decimal(x.amount)]))).toEqual(expected);
    expect(out.pools.every((x: any) => x.source === 'focus' && x.rule.method === 'even')).toBe(true);
    expect(out.pools.find((x: any) => x.name === 'Compute').amount).toBe('1000');
    // Walled off: the first workspace's pools are untouched, the second sees only its own.
    expect((await storedPools()).some((s) => s.name === 'Compute')).toBe(false);
    expect((await storedPools(other.workspaceId)).some((s) => s.name === 'Amazon OpenSearch Service')).toBe(false);

    const bad = (await graphqlRequest(p.apiUrl, other.key, MUTATION, { i: { csv: focusCsv().replace('1200.00000000004', '12O0') } })).body.errors[0].extensions;
    expect(bad).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'input.csv', column: 'BilledCost', line: 4 });
    const badColumn = (await graphqlRequest(p.apiUrl, other.key, MUTATION, { i: { csv: focusCsv(), groupBy: 'Team' } })).body.errors[0].extensions;
    expect(badColumn).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'input.groupBy' });
  });

  it('bad input: 400 naming the line and column (or parameter), nothing stored; read-only keys are refused', async () => {
    const before = await storedPools();
    const refused = async (body: string, query = '') => {
      const res = await post(body, query);
      expect(res.status, body.slice(0, 40) + query).toBe(400);
      return await res.json() as { field: string; line?: number; message: string };
    };
    expect(await refused(focusCsv().replace('1200.00000000004', '12O0'))).toMatchObject({ field: 'BilledCost', line: 4 });
    expect((await refused(focusCsv().replace('1200.00000000004', '12O0'))).message).toBe("line 4: BilledCost: '12O0' is not a number");
    expect(await refused(focusCsv().replace('2026-11-30T00:00:00Z', 'last tuesday'))).toMatchObject({ field: 'ChargePeriodStart', line: 7 });
    expect(await refused(focusCsv().replace(/USD\n$/, 'EUR\n'))).toMatchObject({ field: 'BillingCurrency', line: 8 });
    expect(await refused(focusCsv().replace('BilledCost', 'Cost'))).toMatchObject({ field: 'BilledCost', line: 1 });
    expect(await refused(`${HEADER}\n`)).toMatchObject({ field: 'csv' });
    expect(await refused(`${HEADER}\n123,"2026-11-01T00:00:00Z,x\n`)).toMatchObject({ field: 'csv' });
    expect(await refused(focusCsv(), '?group_by=Team')).toMatchObject({ field: 'group_by' });
    expect(await refused(focusCsv(), '?cost=ListCost')).toMatchObject({ field: 'cost' });
    expect(await refused(focusCsv(), '?dimension=workflow&method=even&measure=calls')).toMatchObject({ field: 'measure' });
    expect(await refused(focusCsv(), '?measure=calls')).toMatchObject({ field: 'dimension' });
    expect(await refused(focusCsv(), '?dimension=model')).toMatchObject({ field: 'dimension' });
    expect(await refused(focusCsv(), '?month=2026-11')).toMatchObject({ field: 'month' });
    expect(await storedPools()).toEqual(before);

    const reader = await workspaceWithKey(p.pool, ['read']);
    expect((await post(focusCsv(), '', reader.key)).status).toBe(403);
    expect((await post(focusCsv(), '', 'sg_nonsense')).status).toBe(401);
    const { rows } = await p.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1 AND action = 'importCostPools'`, [ws.workspaceId]);
    expect(rows[0].n).toBe(4);
  });
});
