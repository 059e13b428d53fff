// The event-id migration on a database that already holds an id twice (stored before ids
// were unique whatever the time): the first arrival stays, the later copies move aside,
// every id is in usage_event_ids, and a later re-stamped copy is skipped.
import { randomUUID } from 'node:crypto';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, inject } from 'vitest';
import { MIGRATIONS_DIR, type Pool, createPool, ensureWorkspace, insertUsageEvents, migrate } from '../src/index.ts';

const THIS_MIGRATION = 1765000400000;
const url = Object.assign(new URL(inject('databaseUrl')), { pathname: `/spendgraph_event_ids_${process.pid}` }).toString();
let admin: pg.Client;
let pool: Pool;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE spendgraph_event_ids_${process.pid}`);
  await runner({ databaseUrl: url, dir: MIGRATIONS_DIR, migrationsTable: 'pgmigrations', direction: 'up', count: THIS_MIGRATION - 1, timestamp: true, log: () => {} });
  pool = createPool(url);
});
afterAll(async () => {
  await pool?.end();
  await admin?.query(`DROP DATABASE IF EXISTS spendgraph_event_ids_${process.pid} WITH (FORCE)`);
  await admin?.end();
});

it('keeps the first arrival of an id stored twice, moves the later copy aside and keys every id', async () => {
  const ws = await ensureWorkspace(pool, `mig-${randomUUID().slice(0, 8)}`);
  const [twice, once] = [randomUUID(), randomUUID()];
  const insert = (id: string, at: string, receivedAt: string, model: string) => pool.query(
    `INSERT INTO usage_events (workspace_id, event_id, occurred_at, received_at, provider, model, total_cost, unpriced)
     VALUES ($1, $2, $3, $4, 'openai', $5, 1, false)`, [ws.id, id, at, receivedAt, model]);
  // The re-stamped copy has the earlier occurred_at but arrived later: arrival decides.
  await insert(twice, '2026-10-01T12:00:01Z', '2026-10-01T12:00:02Z', 'first');
  await insert(twice, '2026-10-01T12:00:00Z', '2026-10-01T12:05:00Z', 'retry');
  await insert(once, '2026-10-02T00:00:00Z', '2026-10-02T00:00:01Z', 'only');

  await migrate(url);

  const events = await pool.query('SELECT event_id, model FROM usage_events WHERE workspace_id = $1 ORDER BY model', [ws.id]);
  expect(events.rows).toEqual([{ event_id: twice, model: 'first' }, { event_id: once, model: 'only' }]);
  const aside = await pool.query('SELECT event_id, model FROM usage_events_duplicates WHERE workspace_id = $1', [ws.id]);
  expect(aside.rows).toEqual([{ event_id: twice, model: 'retry' }]);
  const ids = await pool.query(`SELECT event_id, occurred_at AT TIME ZONE 'UTC' AS at FROM usage_event_ids WHERE workspace_id = $1 ORDER BY at`, [ws.id]);
  expect(ids.rows.map((r) => r.event_id)).toEqual([twice, once]);

  // From now on a re-stamped copy adds nothing.
  const { rows: [row] } = await pool.query('SELECT * FROM usage_events WHERE event_id = $1', [twice]);
  expect(await insertUsageEvents(pool, [{ ...row, occurred_at: '2026-10-03T00:00:00Z' }])).toBe(0);
  expect((await pool.query('SELECT count(*)::int AS n FROM usage_events WHERE workspace_id = $1', [ws.id])).rows[0].n).toBe(2);
});
