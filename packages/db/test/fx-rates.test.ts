// ECB rates in the database, on a database of this file's own (it revises rates, which are the
// deployment's): the shipped history is loaded once by the migrations; cross rates go through the
// euro in numeric; a revised Friday re-converts Friday's, Saturday's and Sunday's events (they
// use Friday's rate) and marks exactly those days dirty, not Thursday or Monday; a reporting
// currency change re-converts and marks every day whose factor changed; on an install upgraded
// with events, loading the history converts them (the migration left them at factor 1).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pool, createPool, ensureWorkspace, importFxRates, insertUsageEvents, migrate, updateWorkspaceSettings, type UsageEventRow } from '../src/index.ts';
import { type OwnDatabase, ownDatabase } from '@spendgraph/test-support/database';

let db: OwnDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await ownDatabase('fx_rates');
  pool = createPool(db.url, 4);
}, 120_000);
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

function row(workspaceId: string, occurredAt: string, currency: string, cost: string): UsageEventRow {
  return {
    workspace_id: workspaceId, event_id: randomUUID(), occurred_at: occurredAt, kind: 'model_call', provider: 'openai', model: 'gpt-4o', status: 'ok',
    latency_ms: null, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0,
    input_cost: null, output_cost: null, cache_read_cost: null, cache_write_5m_cost: null, cache_write_1h_cost: null, reasoning_cost: null,
    total_cost: cost, currency, price_source: 'supplied', price_version: null, unpriced: false, space: null, plan_id: null, task_id: null,
    task_type: null, workflow: null, step: null, agent: null, user_id: null, customer_id: null, feature: null, session_id: null, work_item: null,
    source: 'api', tags: {},
  };
}

const one = async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows[0];

describe('ECB rates in the database', () => {
  it('the migrations load the shipped history once', async () => {
    const before = await one(`SELECT count(*)::int AS n, max(day)::text AS latest FROM fx_rates WHERE source = 'shipped'`);
    expect(before.latest).toBe('2026-04-13');
    expect(before.n).toBeGreaterThan(200_000);
    await migrate(db.url);
    expect((await one(`SELECT count(*)::int AS n FROM fx_rates`)).n).toBe(before.n);
  });

  it('cross rates go through the euro, from the latest earlier day on holidays and weekends', async () => {
    // Easter Monday 2026 (no ECB rates) converts at Thursday 2026-04-02's.
    const r = await one(`SELECT sg_fx_factor('USD', 'GBP', '2026-04-06') AS f, round(g.per_eur / u.per_eur, 14) AS expected, sg_fx_factor('EUR', 'JPY', '2026-04-04') AS jpy
                           FROM fx_rates u, fx_rates g WHERE u.currency = 'USD' AND g.currency = 'GBP' AND u.day = '2026-04-02' AND g.day = '2026-04-02'`);
    expect(r.f).toBe(r.expected);
    expect(r.jpy).toBe((await one(`SELECT round(per_eur, 14) AS v FROM fx_rates WHERE currency = 'JPY' AND day = '2026-04-02'`)).v);
    expect((await one(`SELECT sg_fx_factor('USD', 'USD', '1990-01-01') AS f`)).f).toBe('1');
    expect((await one(`SELECT sg_fx_factor('USD', 'EUR', '1998-12-31') AS f`)).f).toBeNull(); // before the euro
  });

  it('a revised Friday re-converts and marks Friday to Sunday only', async () => {
    const ws = await ensureWorkspace(pool, `fx-${randomUUID().slice(0, 8)}`);
    await insertUsageEvents(pool, ['2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15', '2026-03-16'].flatMap((d) => [
      row(ws.id, `${d}T12:00:00Z`, 'GBP', '10'), row(ws.id, `${d}T13:00:00Z`, 'USD', '10'),
    ]));
    const factors = async () => new Map((await pool.query(`SELECT (occurred_at AT TIME ZONE 'UTC')::date::text || currency AS k, fx_rate::text AS f FROM usage_events WHERE workspace_id = $1`, [ws.id])).rows.map((r) => [r.k, r.f]));
    const before = await factors();
    expect(before.get('2026-03-12USD')).toBe('1'); // the reporting currency (USD by default)
    const seq = (await one('SELECT max(seq) AS s FROM rollup_dirty_days')).s;

    const kept = await importFxRates(pool, [{ day: '2026-03-13', currency: 'GBP', perEur: '0.9' }], { source: 'import' });
    expect(kept).toMatchObject({ added: 0, kept: 1, eventsReconverted: 0 });
    const revised = await importFxRates(pool, [{ day: '2026-03-13', currency: 'GBP', perEur: '0.9' }], { source: 'import', revise: true });
    expect(revised).toMatchObject({ added: 0, revised: 1, eventsReconverted: 3 });
    const after = await factors();
    for (const [k, f] of before) {
      const changed = ['2026-03-13GBP', '2026-03-14GBP', '2026-03-15GBP'].includes(k);
      expect(after.get(k) !== f, k).toBe(changed);
    }
    const usd = (await one(`SELECT per_eur FROM fx_rates WHERE currency = 'USD' AND day = '2026-03-13'`)).per_eur;
    expect(after.get('2026-03-14GBP')).toBe((await one(`SELECT round($1::numeric / 0.9, 14)::text AS v`, [usd])).v);
    const marked = await pool.query(`SELECT DISTINCT day::text FROM rollup_dirty_days WHERE workspace_id = $1 AND seq > $2 ORDER BY 1`, [ws.id, seq]);
    expect(marked.rows.map((r) => r.day)).toEqual(['2026-03-13', '2026-03-14', '2026-03-15']);

    // A new reporting currency: every GBP and USD event's factor changes, every day is marked.
    const seq2 = (await one('SELECT max(seq) AS s FROM rollup_dirty_days')).s;
    await updateWorkspaceSettings(pool, ws.id, { currency: 'GBP' });
    const gbp = await factors();
    expect(gbp.get('2026-03-16GBP')).toBe('1');
    expect(gbp.get('2026-03-14USD')).toBe((await one(`SELECT round(0.9 / $1::numeric, 14)::text AS v`, [usd])).v);
    const all = await pool.query(`SELECT count(DISTINCT day)::int AS n FROM rollup_dirty_days WHERE workspace_id = $1 AND seq > $2`, [ws.id, seq2]);
    expect(all.rows[0].n).toBe(5);
  });

  it('an existing install: the migration leaves events at factor 1, loading the history converts them', async () => {
    const ws = await ensureWorkspace(pool, `fx-${randomUUID().slice(0, 8)}`);
    await insertUsageEvents(pool, [row(ws.id, '2025-05-09T10:00:00Z', 'EUR', '10'), row(ws.id, '2025-05-10T10:00:00Z', 'USD', '10')]);
    // As before the migration: no rates, every event at the column's default.
    await pool.query('DELETE FROM fx_rates');
    await pool.query('UPDATE usage_events SET fx_rate = 1 WHERE workspace_id = $1', [ws.id]);
    const seq = (await one('SELECT max(seq) AS s FROM rollup_dirty_days')).s;
    await migrate(db.url);
    const f = (await pool.query(`SELECT currency, fx_rate::text AS f FROM usage_events WHERE workspace_id = $1 ORDER BY occurred_at`, [ws.id])).rows;
    expect(f).toEqual([{ currency: 'EUR', f: '1.12520000000000' }, { currency: 'USD', f: '1' }]); // the ECB's 1.1252 USD per euro of 2025-05-09
    const marked = await pool.query(`SELECT DISTINCT day::text FROM rollup_dirty_days WHERE workspace_id = $1 AND seq > $2`, [ws.id, seq]);
    expect(marked.rows.map((r) => r.day)).toEqual(['2025-05-09']);
  });
});
