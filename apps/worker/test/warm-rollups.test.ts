// The scheduled roll-up warming job, with the real worker, BullMQ and TimescaleDB.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it, inject } from 'vitest';
import { MAINTENANCE_QUEUE, WARM_ROLLUPS_JOB, type WarmRollupsResult } from '@spendgraph/queue';
import { type Platform, postEvents, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let redis: Redis;
let queue: Queue;

beforeAll(async () => {
  // Roll-ups of its own, so that the tables it checks are the ones its worker built.
  process.env.SPENDGRAPH_ROLLUP_SCHEMA = `rollups_${randomUUID().slice(0, 8)}`;
  p = await startPlatform();
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  queue = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix: p.env.QUEUE_PREFIX });
});
afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await p?.stop();
});

let ws: { workspaceId: string; key: string };

async function costLast30Days(key: string) {
  const res = await fetch(`${p.apiUrl}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ breakdown(measures: ["total_cost"], by: ["model"], timeRange: { relative: "last 30 days" }) { measures { value } } }' }),
  });
  const body = (await res.json()) as any;
  return { cost: body.data.breakdown.measures[0].value as string, rollups: body.extensions.usedPreAggregations as string[] };
}

it('warms the roll-ups on start and on schedule, and dashboard queries read them', async () => {
  ws = await workspaceWithKey(p.pool, ['ingest', 'read']);
  const { workspaceId, key } = ws;
  const now = Date.now();
  const events = Array.from({ length: 300 }, (_, i) => ({
    id: randomUUID(),
    occurred_at: new Date(now - ((i % 20) + 1) * 86_400_000).toISOString(), // within 'last 30 days' (today and the 29 days before)
    provider: 'openai', model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini', cost: '0.001000', plan_id: `plan-${i % 3}`,
  }));
  expect((await postEvents(p.apiUrl, key, events)).status).toBe(202);
  await waitFor(async () => (await storedCount(p.pool, workspaceId)) === events.length, 20_000, 'events to be stored');

  p.startWorker({ WORKER_QUEUES: 'maintenance', ROLLUP_WARM_EVERY_MS: '600000', RETENTION_EVERY_MS: '0' }); // only the warming schedule
  const run = await waitFor(async () => (await queue.getJobs(['completed']))[0], 60_000, 'the first warming run');
  expect(run.name).toBe(WARM_ROLLUPS_JOB);
  expect((run.returnvalue as WarmRollupsResult).built).toBeGreaterThan(0);
  const [scheduler] = await queue.getJobSchedulers();
  expect(scheduler).toMatchObject({ key: WARM_ROLLUPS_JOB, every: 600000 });

  const { rows } = await p.pool.query('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1', [process.env.SPENDGRAPH_ROLLUP_SCHEMA]);
  expect(rows[0].n).toBeGreaterThan(0);

  const first = await costLast30Days(key);
  expect(first.cost).toBe('0.300000');
  expect(first.rollups.length).toBeGreaterThan(0);
});

it('events back-filled for days already rolled up count at once, and the next run rebuilds just their partitions', async () => {
  const oldDay = new Date(Date.now() - 15 * 86_400_000).toISOString();
  const late = Array.from({ length: 50 }, () => ({ id: randomUUID(), occurred_at: oldDay, provider: 'openai', model: 'gpt-4o', cost: '0.010000' }));
  expect((await postEvents(p.apiUrl, ws.key, late)).status).toBe(202);
  await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) === 350, 20_000, 'the back-filled events');
  // No warming run yet: the answer reads that day's partitions from raw events, in the same query.
  const before = await costLast30Days(ws.key);
  expect(before.cost).toBe('0.800000');
  expect(before.rollups.length).toBeGreaterThan(0);
  const job = await queue.add(WARM_ROLLUPS_JOB, {});
  await waitFor(async () => (await job.isCompleted()) || undefined, 120_000, 'the warming run');
  const result = (await queue.getJob(job.id!))!.returnvalue as WarmRollupsResult;
  expect(result.built).toBeGreaterThan(0);
  const monday = new Date(`${oldDay.slice(0, 10)}T00:00:00Z`);
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  const day = monday.toISOString().slice(0, 10).replaceAll('-', ''); // its week's partition
  const { rows } = await p.pool.query<{ t: string }>('SELECT tablename AS t FROM pg_tables WHERE schemaname = $1', [process.env.SPENDGRAPH_ROLLUP_SCHEMA]);
  expect(rows.filter((r) => r.t.includes(day)).length).toBeGreaterThanOrEqual(4); // each roll-up's partition of that week
  const after = await costLast30Days(ws.key);
  expect(after.cost).toBe('0.800000');
  expect(after.rollups.length).toBeGreaterThan(0);
});
