// The 10 M-event workload shared by bench:query and bench:guard: 90 days of
// calls across 9 models, 60 plans, 80 users, 12 agents, 40 customers, 25
// features, seeded straight into the hypertable (the ingest path is
// bench:ingest's business) in a database of its own, kept between runs.
import pg from 'pg';
import { type Pool, createPool, ensureWorkspace, migrate, withTransaction } from '@spendgraph/db';

const DB_NAME = 'spendgraph_bench_query';
const CHUNK = 1_000_000;
export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** A benchmark database (created and migrated if missing), its pool and the workspace holding the events. */
export async function benchDatabase(dbName = DB_NAME, workspace = 'bench-query'): Promise<{ dbUrl: string; pool: Pool; workspaceId: string }> {
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  if (!(await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rowCount) await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const dbUrl = Object.assign(new URL(process.env.DATABASE_URL!), { pathname: `/${dbName}` }).toString();
  await migrate(dbUrl);
  // Seeding a million rows in one statement outlasts the default statement timeout.
  const pool = createPool(dbUrl, { statementTimeoutMs: 60 * 60_000 });
  const ws = await ensureWorkspace(pool, workspace);
  return { dbUrl, pool, workspaceId: ws.id };
}

// One INSERT ... SELECT per million rows; every value derives from the row number, so a
// rerun reproduces the same data. Costs are exact: tokens x a per-model rate.
const SEED_SQL = `
  WITH g AS (SELECT i, (i * 2654435761::bigint) % 1000003 AS h FROM generate_series($2::bigint, $3::bigint) AS i),
  m AS (SELECT i, h, (h % 9)::int AS mi FROM g)
  INSERT INTO usage_events (workspace_id, event_id, occurred_at, kind, provider, model, status, latency_ms,
    input_tokens, output_tokens, cache_read_tokens, input_cost, output_cost, cache_read_cost, total_cost,
    currency, price_source, price_version, unpriced, plan_id, task_id, task_type, workflow, step, agent, user_id,
    customer_id, feature, session_id, source)
  SELECT $1, md5($5 || i)::uuid,
    $4::timestamptz - make_interval(secs => ((i * 7919) % $6::bigint)::float8),
    'model_call',
    (ARRAY['anthropic','anthropic','anthropic','openai','openai','openai','google','google','google'])[mi + 1],
    (ARRAY['claude-sonnet-4-5','claude-opus-4-1','claude-haiku-4-5','gpt-4o','gpt-4o-mini','o3','gemini-2.5-pro','gemini-2.5-flash','gemini-2.0-flash'])[mi + 1],
    CASE WHEN h % 50 = 0 THEN 'error' ELSE 'ok' END,
    200 + (h % 9000),
    500 + h % 20000, 50 + h % 2000, (h * 7) % 30000,
    (500 + h % 20000) * r.inp / 1000000, (50 + h % 2000) * r.outp / 1000000, ((h * 7) % 30000) * r.cache / 1000000,
    ((500 + h % 20000) * r.inp + (50 + h % 2000) * r.outp + ((h * 7) % 30000) * r.cache) / 1000000,
    'USD', 'catalog', 'bench', false,
    'plan-' || (h % 60), 'task-' || (h % 3000), (ARRAY['feature','bugfix','refactor','docs'])[h % 4 + 1],
    (ARRAY['plan-execute','review','triage'])[h % 3 + 1], (ARRAY['plan','implement','test','review','fix'])[h % 5 + 1],
    'agent-' || (h % 12), 'user-' || (h % 80), 'customer-' || (h % 40), 'feature-' || (h % 25),
    'session-' || (i / 40), $7
  FROM m JOIN (VALUES (0, 3, 15, 0.3), (1, 15, 75, 1.5), (2, 1, 5, 0.1), (3, 2.5, 10, 1.25), (4, 0.15, 0.6, 0.075),
                      (5, 2, 8, 0.5), (6, 1.25, 10, 0.125), (7, 0.3, 2.5, 0.03), (8, 0.1, 0.4, 0.025)) AS r(mi, inp, outp, cache)
    USING (mi)`;

const MARK_90_DAYS = `SELECT mark_rollup_days_dirty($1, ARRAY(
  SELECT generate_series(($2::timestamptz - interval '91 days')::date, $2::timestamptz::date, interval '1 day')::date))`;

/** Stores `n` events for the workspace unless exactly that many are there already. */
export async function seedEvents(pool: Pool, workspaceId: string, n: number): Promise<void> {
  // The seeded events only (bench:query adds events of source 'bench-visible' to time their visibility).
  const count = async () => Number((await pool.query(`SELECT count(*) FROM usage_events WHERE workspace_id = $1 AND source = 'api'`, [workspaceId])).rows[0].count);
  const have = await count();
  if (have === n) return console.log(`seed: ${fmt(n)} events already stored`);
  const end = new Date(new Date().toISOString().slice(0, 13) + ':00:00Z');
  // Writes to usage_events mark their days dirty in the same transaction (the read path).
  const write = (sql: string, params: unknown[]) => withTransaction(pool, async (client) => {
    await client.query(sql, params);
    await client.query(MARK_90_DAYS, [workspaceId, end]);
  });
  await write('DELETE FROM usage_events WHERE workspace_id = $1', [workspaceId]);
  const t0 = performance.now();
  for (let lo = 1; lo <= n; lo += CHUNK) {
    await write(SEED_SQL, [workspaceId, lo, Math.min(n, lo + CHUNK - 1), end, 'bench-query:', 90 * 86400, 'api']);
    console.log(`seed: ${fmt(Math.min(n, lo + CHUNK - 1))} events (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  await pool.query('ANALYZE usage_events');
  console.log(`seed: ${fmt(n)} events in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/**
 * Adds `n` events spread over today (UTC) so far, of source 'bench-today' (counted with the seeded
 * ones), unless exactly that many are there already: a busy day's raw tail at a smaller total.
 * Events of that source from another day (or another `n`) are deleted first; `n` = 0 leaves none.
 * With `n` > 0 the events an earlier run added (source 'bench-visible', ~30 k a run) are deleted
 * too, so that every run starts from the same tail.
 */
export async function seedToday(pool: Pool, workspaceId: string, n: number): Promise<void> {
  const midnight = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  const { rows } = await pool.query(`SELECT count(*) FILTER (WHERE source = 'bench-today' AND occurred_at >= $2)::int AS today,
    count(*) FILTER (WHERE source = 'bench-today')::int AS all, count(*) FILTER (WHERE source = 'bench-visible')::int AS visible
    FROM usage_events WHERE workspace_id = $1`, [workspaceId, midnight]);
  const { today, all, visible } = rows[0];
  if (n && visible) {
    await withTransaction(pool, async (client) => {
      await client.query(`DELETE FROM usage_events WHERE workspace_id = $1 AND source = 'bench-visible'`, [workspaceId]);
      await client.query(MARK_90_DAYS, [workspaceId, new Date()]);
    });
  }
  if (today === n && all === n) return n ? console.log(`seed: ${fmt(n)} events today already stored`) : undefined;
  const now = new Date();
  const span = Math.max(1, Math.floor((now.getTime() - midnight.getTime()) / 1000)); // seconds of today so far
  await withTransaction(pool, async (client) => {
    await client.query(`DELETE FROM usage_events WHERE workspace_id = $1 AND source = 'bench-today'`, [workspaceId]);
    await client.query(MARK_90_DAYS, [workspaceId, now]);
  });
  for (let lo = 1; lo <= n; lo += CHUNK) {
    await withTransaction(pool, async (client) => {
      await client.query(SEED_SQL, [workspaceId, lo, Math.min(n, lo + CHUNK - 1), now, 'bench-today:', span, 'bench-today']);
      await client.query(MARK_90_DAYS, [workspaceId, now]);
    });
  }
  await pool.query('ANALYZE usage_events');
  console.log(`seed: ${fmt(n)} events today`);
}
