// Raw events vs roll-ups on a synthetic workload, in a scratch database of its own:
//   scripts/run.sh node packages/semantic/bench/rollups.ts      (N=1000000 events by default)
// Prints the model compile time, raw query times, the warm (build) time and
// rolled-up query times, and checks that roll-ups and raw events agree.
import pg from 'pg';
import { migrate } from '@spendgraph/db';
import { createSemanticLayer, modelCompileMs, type CubeQuery, type QueryResult } from '../src/index.ts';
import { modelWithoutRollups, removeModelVariants } from '../test/support.ts';

const N = Number(process.env.N ?? 1_000_000);
const DB = 'sg_semantic_bench';
const base = process.env.DATABASE_URL;
if (!base) throw new Error('DATABASE_URL is not set (run through scripts/run.sh)');
const url = new URL(base);
url.pathname = `/${DB}`;

const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DB}`);
await migrate(url.toString());

const ws = '00000000-0000-4000-8000-000000000001';
const other = '00000000-0000-4000-8000-000000000002';
const db = new pg.Client({ connectionString: url.toString() });
await db.connect();
let started = performance.now();
// 90 % of the events in the measured workspace, 10 % in another one; 90 days.
await db.query(`
  INSERT INTO usage_events (workspace_id, event_id, occurred_at, provider, model, status, latency_ms,
    input_tokens, output_tokens, input_cost, output_cost, total_cost,
    plan_id, task_id, step, agent, user_id, customer_id, feature, session_id)
  SELECT CASE WHEN i % 10 = 0 THEN '${other}'::uuid ELSE '${ws}'::uuid END, gen_random_uuid(),
    now() - random() * interval '90 days',
    (ARRAY['anthropic', 'openai', 'google'])[1 + i % 3], 'model-' || (i % 12),
    CASE WHEN i % 50 = 0 THEN 'error' ELSE 'ok' END, (random() * 2000)::int,
    1000 + i % 5000, 100 + i % 700,
    (1000 + i % 5000) * 0.000003, (100 + i % 700) * 0.000015, (1000 + i % 5000) * 0.000003 + (100 + i % 700) * 0.000015,
    'plan-' || (i % 300), 'plan-' || (i % 300) || '/task-' || (i % 7),
    (ARRAY['plan', 'implement', 'review', 'test'])[1 + i % 4], (ARRAY['coder', 'reviewer', 'planner'])[1 + i % 3],
    'user-' || (i % 40), 'cust-' || (i % 25), (ARRAY['chat', 'search', 'agent'])[1 + i % 3], 'sess-' || (i % 20000)
  FROM generate_series(1, ${N}) AS i`);
await db.query('ANALYZE usage_events');
console.log(`inserted ${N} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);

started = performance.now();
const layer = await createSemanticLayer({ databaseUrl: url.toString() });
console.log(`createSemanticLayer ${(performance.now() - started).toFixed(0)} ms (model compile ${(await modelCompileMs()).toFixed(0)} ms)`);
const raw = await createSemanticLayer({ databaseUrl: url.toString(), modelDir: await modelWithoutRollups(), preAggregationsSchema: 'bench_unused' });
const ctx = { workspaceId: ws };

async function time<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await fn();
  const info = r as Partial<QueryResult> & { built?: string[] };
  const detail = info.built ? `${info.built.length} partition tables` : `${info.data?.length} rows, roll-ups ${JSON.stringify(info.usedPreAggregations)}`;
  console.log(`${label.padEnd(52)} ${(performance.now() - t).toFixed(0).padStart(6)} ms  ${detail}`);
  return r;
}

const byModelDay: CubeQuery = {
  measures: ['usage.total_cost', 'usage.total_tokens', 'usage.calls', 'usage.error_rate'],
  dimensions: ['usage.provider', 'usage.model'],
  timeDimensions: [{ dimension: 'usage.occurred_at', granularity: 'day', dateRange: 'last 90 days' }],
};
const nested: CubeQuery = { measures: ['usage.total_cost'], dimensions: ['usage.plan_id', 'usage.task_id', 'usage.step'], limit: 50_000 };

const rawByModel = await time('raw: cost by provider x model x day, 90 days', () => raw.load(byModelDay, ctx));
await time('raw: p95 latency + distinct users by model', () =>
  raw.load({ measures: ['usage.p95_latency_ms', 'usage.distinct_users'], dimensions: ['usage.model'] }, ctx));
const rawNested = await time('raw: cost by plan > task > step', () => raw.load(nested, ctx));
await time('warm: build every partition', () => layer.warmPreAggregations());
await time('warm again: nothing changed', () => layer.warmPreAggregations());
const rolledByModel = await time('roll-up: cost by provider x model x day, 90 days', () => layer.load(byModelDay, ctx));
await time('roll-up: the same query again (result cache)', () => layer.load(byModelDay, ctx));
const rolledNested = await time('roll-up: cost by plan > task > step', () => layer.load(nested, ctx));

const sorted = (r: QueryResult) => r.data.map((d) => JSON.stringify(d)).sort();
const same = JSON.stringify(sorted(rawByModel)) === JSON.stringify(sorted(rolledByModel))
  && JSON.stringify(sorted(rawNested)) === JSON.stringify(sorted(rolledNested));
console.log(`roll-ups give the same figures as raw events: ${same}`);

await layer.close();
await raw.close();
await db.end();
await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.end();
await removeModelVariants();
if (!same) process.exitCode = 1;
