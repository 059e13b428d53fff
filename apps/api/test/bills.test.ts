// Reconciliation with the provider's bill (issue 17): a bill uploaded for days where events are
// tracked; per day, tracked + variance adds up to what was billed, and every row to the invoice
// to the cent — checked against SQL over provider_bill_lines and usage_events. Re-importing
// replaces, never adds; files that cannot be read are refused whole with 400 naming the line
// and field.
import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '@spendgraph/db';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

const fixture = (name: string) => readFileSync(new URL(`../../../packages/billing/test/fixtures/${name}`, import.meta.url), 'utf8');
const openAiBill = () => `[${fixture('openai-costs-page1.json')},${fixture('openai-costs-page2.json')}]`;

let p: Platform;
let ws: { workspaceId: string; key: string };

beforeAll(async () => {
  p = await startPlatform({ now: new Date('2026-12-01T12:00:00Z') });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  const call = (at: string, model: string, cost: string, provider = 'openai') => ({ occurred_at: at, provider, model, cost, currency: 'USD', usage: { input_tokens: 10, output_tokens: 5 } });
  await ingestAndWait(p, ws, [
    call('2026-11-28T10:00:00Z', 'gpt-4o-mini', '9'), // a day no bill covers
    call('2026-11-29T00:00:00Z', 'gpt-4o-mini', '0.5'),
    call('2026-11-29T23:59:59.999Z', 'gpt-4o-mini-2024-07-18', '0.3'),
    call('2026-11-30T08:00:00Z', 'gpt-4o-mini', '1.000000001'),
    call('2026-11-30T09:00:00Z', 'gpt-4o', '0.25'), // tracked, not on the bill
    call('2026-11-30T09:00:00Z', 'claude-sonnet-4-5', '7', 'anthropic'), // a provider no bill covers
  ]);
});
afterAll(async () => p?.stop());

const upload = (source: string, body: string, key = ws.key, type = source === 'openai' || source === 'anthropic' ? 'application/json' : 'text/csv') =>
  fetch(`${p.apiUrl}/v1/bills/${source}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': type }, body });

const RECONCILE = `query ($from: String!, $to: String!) { reconciliation(from: $from, to: $to) {
  rows { day provider model unattributed currency billed tracked variance varianceShare accounts { account billed } }
  totals { currency billed tracked variance varianceShare } } }`;
const reconciliation = async () => (await graphqlData(p.apiUrl, ws.key, RECONCILE, { from: '2026-11-28', to: '2026-11-30' })).reconciliation;

async function sql<T = any>(text: string, params: unknown[] = [ws.workspaceId]): Promise<T[]> {
  return (await p.pool.query(text, params)).rows;
}

/** Per day: the bill's total (the invoice) and the tracked cost of the providers billed that day, from SQL alone. */
async function truthByDay() {
  const billed = await sql(`SELECT day::text, sum(amount)::text AS billed FROM provider_bill_lines WHERE workspace_id = $1 GROUP BY day ORDER BY day`);
  const tracked = await sql(`SELECT (e.occurred_at AT TIME ZONE 'UTC')::date::text AS day, sum(e.total_cost)::text AS tracked FROM usage_events e
    WHERE e.workspace_id = $1 AND EXISTS (SELECT 1 FROM provider_bill_lines b WHERE b.workspace_id = e.workspace_id AND b.provider = e.provider
      AND b.day = (e.occurred_at AT TIME ZONE 'UTC')::date) GROUP BY 1`);
  return billed.map((b) => ({ day: b.day, billed: b.billed, tracked: tracked.find((t) => t.day === b.day)?.tracked ?? '0' }));
}

function checkAddsUp(r: any, truth: Array<{ day: string; billed: string; tracked: string }>) {
  for (const t of truth) {
    const rows = r.rows.filter((x: any) => x.day === t.day);
    const sum = (f: string) => rows.reduce((s: Decimal, x: any) => s.plus(x[f]), new Decimal(0));
    expect(sum('billed').equals(t.billed), `billed ${t.day}`).toBe(true);
    expect(sum('tracked').equals(t.tracked), `tracked ${t.day}`).toBe(true);
    expect(sum('tracked').plus(sum('variance')).equals(t.billed), `tracked + variance ${t.day}`).toBe(true);
  }
  const invoice = truth.reduce((s, t) => s.plus(t.billed), new Decimal(0));
  expect(new Decimal(r.totals[0].billed).equals(invoice)).toBe(true);
}

describe('reconciliation with the provider bill', () => {
  it('an uploaded OpenAI cost report reconciles per day, provider and model to the invoice total', async () => {
    const res = await upload('openai', openAiBill());
    expect(res.status).toBe(201);
    const { import: imported } = await res.json() as any;
    expect(imported).toMatchObject({ source: 'openai', firstDay: '2026-11-29', lastDay: '2026-11-30', lines: 6, total: '2.8523456789012345678', replaced: 0 });

    const r = await reconciliation();
    expect(r.rows.map((x: any) => [x.day, x.model, x.unattributed, x.billed, x.tracked, x.variance, x.varianceShare])).toEqual([
      ['2026-11-29', 'gpt-4o-mini', false, '1.0223456789012345678', '0.8', '0.2223456789012345678', '0.217486'],
      ['2026-11-29', null, true, '0.06', '0', '0.06', '1.000000'],
      ['2026-11-30', 'gpt-4o', false, '0', '0.25', '-0.25', null],
      ['2026-11-30', 'gpt-4o-mini', false, '1.75', '1.000000001', '0.749999999', '0.428571'],
      ['2026-11-30', null, true, '0.02', '0', '0.02', '1.000000'],
    ]);
    expect(r.rows[3].accounts).toEqual([{ account: 'proj_abc', billed: '1.25' }, { account: 'proj_xyz', billed: '0.5' }]);
    expect(r.totals).toEqual([{ currency: 'USD', billed: '2.8523456789012345678', tracked: '2.050000001', variance: '0.8023456779012345678', varianceShare: '0.281293' }]);
    checkAddsUp(r, await truthByDay());
    const [audit] = await sql(`SELECT target_type, target_id, after->>'lines' AS lines FROM audit_log WHERE workspace_id = $1 AND action = 'importBill'`);
    expect(audit).toEqual({ target_type: 'provider_bill_import', target_id: imported.id, lines: '6' });
  });

  it('a query reading part of the answer (the page: no accounts) gets the same figures; accounts asked through a fragment still come', async () => {
    const whole = await reconciliation();
    const ask = async (query: string) => (await graphqlData(p.apiUrl, ws.key, query, { from: '2026-11-28', to: '2026-11-30' })).reconciliation;
    const page = await ask(`query ($from: String!, $to: String!) { reconciliation(from: $from, to: $to) {
      from to rows { day provider model unattributed currency billed tracked variance varianceShare } totals { currency billed tracked variance varianceShare } } }`);
    expect(page.rows).toEqual(whole.rows.map(({ accounts: _, ...row }: any) => row));
    expect(page.totals).toEqual(whole.totals);
    expect((await ask('query ($from: String!, $to: String!) { reconciliation(from: $from, to: $to) { totals { currency billed tracked variance varianceShare } } }')).totals).toEqual(whole.totals);
    const rowsOnly = await ask('query ($from: String!, $to: String!) { reconciliation(from: $from, to: $to) { rows { ...Line } } } fragment Line on ReconciliationRow { day billed ... on ReconciliationRow { accounts { account billed } } }');
    expect(rowsOnly.rows).toEqual(whole.rows.map((x: any) => ({ day: x.day, billed: x.billed, accounts: x.accounts })));
  });

  it('re-importing replaces the days it covers and never double counts', async () => {
    const again = await (await upload('openai', openAiBill())).json() as any;
    expect(again.import).toMatchObject({ lines: 6, replaced: 6 });
    // A corrected second day only: the first day's lines stay as they were.
    const corrected = fixture('openai-costs-page2.json').replace('"value": 1.25', '"value": 1.35');
    expect((await (await upload('openai', corrected)).json() as any).import).toMatchObject({ lines: 3, replaced: 3, firstDay: '2026-11-30' });
    const [{ n, total }] = await sql(`SELECT count(*)::int AS n, sum(amount)::text AS total FROM provider_bill_lines WHERE workspace_id = $1`);
    expect([n, total]).toEqual([6, '2.9523456789012345678']);
    const r = await reconciliation();
    expect(r.totals[0].billed).toBe('2.9523456789012345678');
    checkAddsUp(r, await truthByDay());
  });

  it('a CSV bill of another provider adds its own lines; what no event explains is unattributed', async () => {
    expect((await upload('gcp', fixture('gcp-billing-export.csv'))).status).toBe(201);
    const r = await reconciliation();
    const google = r.rows.filter((x: any) => x.provider === 'google');
    expect(google.map((x: any) => [x.day, x.unattributed, x.billed])).toEqual([['2026-11-29', true, '1.734125'], ['2026-11-30', true, '0.031611']]);
    checkAddsUp(r, await truthByDay());
  });

  it('our own FOCUS export, imported as a bill, reconciles with no variance on any row', async () => {
    const own = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
    await ingestAndWait(p, own, [
      { occurred_at: '2026-11-29T10:15:00Z', provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 123_457, output_tokens: 4_321, cache_read_tokens: 1000 } },
      { occurred_at: '2026-11-30T23:59:00Z', provider: 'anthropic', model: 'claude-sonnet-4-5', usage: { input_tokens: 999, output_tokens: 77 } },
      { occurred_at: '2026-11-30T01:00:00Z', provider: 'openai', model: 'gpt-4o', cost: '0.123456789', usage: { input_tokens: 10, output_tokens: 5 } },
    ]);
    const exported = await fetch(`${p.apiUrl}/v1/exports/focus?from=2026-11-29&to=2026-11-30T23:59:59.999`, { headers: { authorization: `Bearer ${own.key}` } });
    expect(exported.status).toBe(200);
    expect((await upload('focus', await exported.text(), own.key)).status).toBe(201);
    const r = (await graphqlData(p.apiUrl, own.key, RECONCILE, { from: '2026-11-29', to: '2026-11-30' })).reconciliation;
    expect(r.rows.map((x: any) => [x.day, x.provider, x.model, x.variance])).toEqual([
      ['2026-11-29', 'openai', 'gpt-4o-mini', '0'], ['2026-11-30', 'anthropic', 'claude-sonnet-4-5', '0'], ['2026-11-30', 'openai', 'gpt-4o', '0'],
    ]);
    const [{ total }] = await sql('SELECT sum(total_cost)::text AS total FROM usage_events WHERE workspace_id = $1', [own.workspaceId]);
    expect(new Decimal(r.totals[0].tracked).equals(total)).toBe(true);
    expect(new Decimal(r.totals[0].billed).equals(total)).toBe(true);
  });

  it('another workspace sees none of it, through the reconciliation or the Cube GraphQL API', async () => {
    const other = await workspaceWithKey(p.pool, ['read']);
    const r = (await graphqlData(p.apiUrl, other.key, RECONCILE, { from: '2026-11-28', to: '2026-11-30' })).reconciliation;
    expect([r.rows, r.totals]).toEqual([[], []]);
    const cube = async (key: string) => (await graphqlRequest(p.apiUrl, key, '{ cube { bills { billed provider } } }', {}, '/graphql/cube')).body;
    expect((await cube(other.key)).data.cube).toEqual([]);
    const rec = async (key: string) => (await graphqlRequest(p.apiUrl, key, '{ cube { reconciliation { billed provider } } }', {}, '/graphql/cube')).body.data.cube;
    expect(await rec(other.key)).toEqual([]);
    expect((await rec(ws.key)).map((c: any) => c.reconciliation.provider).sort()).toEqual(['google', 'openai']);
    const own = (await cube(ws.key)).data.cube.map((c: any) => c.bills).sort((a: any, b: any) => a.provider.localeCompare(b.provider));
    // Cube's generated GraphQL types measures as Float (as for usage); Query.reconciliation gives exact strings.
    expect(own).toEqual([{ billed: 1.765736, provider: 'google' }, { billed: Number('2.9523456789012345678'), provider: 'openai' }]);
  });

  it('bad files are refused whole with 400 naming the line and field; other sources 404; non-admins 403; bad ranges name the argument', async () => {
    const [{ n: before }] = await sql(`SELECT count(*)::int AS n FROM provider_bill_lines WHERE workspace_id = $1`);
    const badCsv = await upload('focus', fixture('focus-1.2.csv').replace('0.000001,', 'free,'));
    expect(badCsv.status).toBe(400);
    expect(await badCsv.json()).toMatchObject({ error: 'invalid_request', line: 3, field: 'BilledCost' });
    const missing = await upload('gcp', 'service.description,cost\nVertex AI,1\n');
    expect(await missing.json()).toMatchObject({ line: 1, field: 'sku.description' });
    const badJson = await upload('openai', fixture('openai-costs-page1.json').replace('"currency": "usd"', '"currency": "dollars"'));
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as any).field).toBe('data.0.results.0.amount.currency');
    expect((await upload('anthropic', 'not json')).status).toBe(400);
    expect((await upload('stripe', '{}')).status).toBe(404);
    const { key: reader } = await createApiKey(p.pool, ws.workspaceId, ['read']);
    expect((await upload('openai', openAiBill(), reader)).status).toBe(403);
    for (const [vars, field] of [[{ from: 'last week', to: '2026-11-30' }, 'from'], [{ from: '2026-11-30', to: '2026-11-01' }, 'to'], [{ from: '2024-01-01', to: '2026-11-30' }, 'to']] as const) {
      const { body } = await graphqlRequest(p.apiUrl, ws.key, RECONCILE, vars);
      expect(body.errors[0].extensions, JSON.stringify(vars)).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    }
    const [{ n: after }] = await sql(`SELECT count(*)::int AS n FROM provider_bill_lines WHERE workspace_id = $1`);
    expect(after).toBe(before);
  });
});
