// Upgrades are forward-only migrations run by the `migrate` command before the new apps start. This
// builds a database at the previous release's schema (the last migration of the release users run),
// fills it as that release stored events (no roll-up marks for history older than the marks), runs
// today's migrations over it, and checks that nothing stored changed and today's API answers it
// exactly (the history marks migration makes the roll-ups see those days) and takes new events.
import { readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiKey, ensureWorkspace, migrate, MIGRATIONS_DIR } from '@spendgraph/db';
import { type Platform, graphqlData, ingestAndWait, startPlatform } from '@spendgraph/test-support/platform';

/** The last migration of the previous release (stop 28, landed 2026-12-03); bump it at each release. */
const PREVIOUS_RELEASE = '1796304149456_budget_alert_probability.sql';

const migrations = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort();
const name = `spendgraph_upgrade_${process.pid}`;
const url = Object.assign(new URL(inject('databaseUrl')), { pathname: `/${name}` }).toString();
let admin: pg.Client;
let db: pg.Pool;
let p: Platform | undefined;
let ws: { workspaceId: string; key: string };
let before: { n: number; cost: string; tokens: string };

const TOTALS = `SELECT count(*)::int AS n, sum(total_cost)::text AS cost, sum(input_tokens + output_tokens)::text AS tokens FROM usage_events WHERE workspace_id = $1`;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const previous = migrations.indexOf(PREVIOUS_RELEASE);
  expect(previous, `${PREVIOUS_RELEASE} is in db/migrations`).toBeGreaterThan(0);
  await migrate(url, () => {}, previous + 1);
  db = new pg.Pool({ connectionString: url, max: 2 });
  const workspace = await ensureWorkspace(db as never, `upgrade-${randomUUID().slice(0, 8)}`);
  ws = { workspaceId: workspace.id, key: (await createApiKey(db as never, workspace.id, ['ingest', 'read'])).key };
  // 40 days of events as the previous release's worker stored them (columns of its schema only).
  await db.query(
    `INSERT INTO usage_events (workspace_id, event_id, occurred_at, provider, model, input_tokens, output_tokens, total_cost, price_source, agent)
     SELECT $1, gen_random_uuid(), timestamptz '2026-10-01 00:00Z' + (i * interval '117 minutes'),
            'openai', CASE WHEN i % 3 = 0 THEN 'gpt-4o' ELSE 'gpt-4o-mini' END, 1000 + i, 100 + i % 50,
            round((0.001 + (i % 97) * 0.000731)::numeric, 6), 'supplied', CASE WHEN i % 2 = 0 THEN 'coder' ELSE 'reviewer' END
       FROM generate_series(1, 490) AS i`,
    [ws.workspaceId],
  );
  // That release's roll-up marks were pruned once seen: history without marks is what upgrades meet.
  await db.query('DELETE FROM rollup_dirty_days WHERE workspace_id = $1', [ws.workspaceId]);
  before = (await db.query(TOTALS, [ws.workspaceId])).rows[0];
  await migrate(url);
}, 300_000);

afterAll(async () => {
  await p?.stop();
  await db?.end();
  await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin?.end();
});

describe(`an upgrade from the previous release's schema (${PREVIOUS_RELEASE})`, () => {
  it('applies every later migration and keeps every stored event as it was', async () => {
    const { rows: applied } = await db.query('SELECT name FROM pgmigrations ORDER BY run_on, id');
    expect(applied.map((r) => `${r.name}.sql`)).toEqual(migrations);
    expect((await db.query(TOTALS, [ws.workspaceId])).rows[0]).toEqual(before);
  });

  it("answers the old history exactly through today's API, and takes new events", async () => {
    p = await startPlatform({ databaseUrl: url });
    // Money compared exactly: decimal strings, normalized (the API and PostgreSQL may differ in trailing zeros).
    const exact = (v: string) => new Decimal(v).toFixed();
    const byModel = async () => (await graphqlData(p!.apiUrl, ws.key, `{ breakdown(measures: ["total_cost", "calls"], by: ["model"], timeRange: { from: "2026-09-01", to: "2026-12-01" }) { children { value measures { measure value } } } }`)).breakdown.children
      .map((c: { value: string; measures: Array<{ measure: string; value: string }> }) => [c.value, ...c.measures.map((m) => exact(m.value))])
      .sort();
    const sql = async () => (await db.query(
      `SELECT model, sum(total_cost)::text AS cost, count(*)::text AS calls FROM usage_events WHERE workspace_id = $1 GROUP BY model ORDER BY model`, [ws.workspaceId],
    )).rows.map((r) => [r.model, exact(r.cost), exact(r.calls)]);
    expect(await byModel()).toEqual(await sql());
    await ingestAndWait(p, ws, [{ occurred_at: '2026-10-15T12:00:00Z', provider: 'openai', model: 'gpt-4o', cost: '2.5', effort: 'high' }]);
    expect(await byModel()).toEqual(await sql());
  });
});
