// Under continuous ingest load, the worker is SIGKILLed, Redis crashes (SIGKILL)
// and PostgreSQL crashes (immediate stop), each then restarted. Afterwards every
// event the API answered 202 for is stored exactly once, and the API answered
// 503 (never 202, never 500) while it could not accept. Runs on private Redis
// and PostgreSQL instances: the shared ones serve other test runs.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '@spendgraph/db';
import { createIngestQueue, redisConnection } from '@spendgraph/queue';
import { parseEventBatch } from '@spendgraph/schema';
import { type Platform, ingestAndWait, postEvents, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';
import { type PrivateService, privatePostgres, privateRedis } from '@spendgraph/test-support/private-services';

let redis: PrivateService;
let postgres: PrivateService;
let p: Platform;

beforeAll(async () => {
  [redis, postgres] = await Promise.all([privateRedis('faults'), privatePostgres('faults')]);
  await migrate(postgres.url);
  p = await startPlatform({ worker: false, databaseUrl: postgres.url, redisUrl: redis.url });
}, 180_000);

afterAll(async () => {
  await p?.stop();
  await Promise.all([redis?.destroy(), postgres?.destroy()]);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A client sending batches of new events without pause; a batch answered 503
 * (or not answered) is resent with the same ids until it is accepted, as the
 * API asks. Counts every answer.
 */
function loadGenerator(apiUrl: string, key: string, clients = 2, perBatch = 100) {
  const stats = { sent: 0, requests: 0, accepted: new Set<string>(), statuses: {} as Record<string, number> };
  let stopping = false;
  const loop = async (c: number) => {
    for (let b = 0; !stopping; b++) {
      const events = Array.from({ length: perBatch }, (_, i) => ({
        id: randomUUID(),
        occurred_at: new Date(Date.UTC(2026, 9, 1) + ((c * 1e6 + b * perBatch + i) % 2e6) * 1000).toISOString(),
        provider: 'openai',
        model: 'gpt-4o-mini',
        usage: { input_tokens: 100 + i, output_tokens: 10 },
      }));
      stats.sent += events.length;
      for (;;) {
        stats.requests++;
        const status = await postEvents(apiUrl, key, events).then(async (res) => {
          await res.arrayBuffer();
          return String(res.status);
        }, () => 'no answer');
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        if (status === '202') {
          for (const e of events) stats.accepted.add(e.id);
          break;
        }
        if (status !== '503' && status !== 'no answer') throw new Error(`ingest answered ${status}`);
        await sleep(200);
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
  return { stats, stop: async () => { stopping = true; await done; } };
}

/** Waits until the worker has stored more rows than now: the pipeline is moving again. */
async function progress(workspaceId: string, what: string) {
  const now = await storedCount(p.pool, workspaceId).catch(() => 0);
  await waitFor(async () => (await storedCount(p.pool, workspaceId).catch(() => 0)) > now, 120_000, what);
}

it('stores every accepted event exactly once across a worker kill, a Redis crash and a PostgreSQL crash', async () => {
  const { workspaceId, key } = await workspaceWithKey(p.pool);
  let worker = p.startWorker({ WORKER_CONCURRENCY: '2' });
  const load = loadGenerator(p.apiUrl, key);
  try {
    await progress(workspaceId, 'first rows');

    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    await sleep(1_000);
    worker = p.startWorker({ WORKER_CONCURRENCY: '2' });
    await progress(workspaceId, 'rows after the worker restart');

    const before503 = load.stats.statuses['503'] ?? 0;
    await redis.crash();
    await waitFor(async () => (load.stats.statuses['503'] ?? 0) > before503, 30_000, 'a 503 while Redis is down');
    await sleep(1_000);
    await redis.start();
    await progress(workspaceId, 'rows after the Redis restart');

    await postgres.crash();
    await sleep(2_000);
    await postgres.start();
    await progress(workspaceId, 'rows after the PostgreSQL restart');
    await sleep(1_000);
  } finally {
    await load.stop();
  }

  const accepted = load.stats.accepted.size;
  await waitFor(async () => (await storedCount(p.pool, workspaceId)) >= accepted, 180_000, 'every accepted event');
  await sleep(3_000); // redelivered jobs finish; none may add rows
  const { rows } = await p.pool.query(
    `SELECT count(*)::int AS stored, count(DISTINCT event_id)::int AS distinct_ids,
            count(*) FILTER (WHERE event_id = ANY($2::uuid[]))::int AS accepted_stored
       FROM usage_events WHERE workspace_id = $1`,
    [workspaceId, [...load.stats.accepted]],
  );
  const figures = {
    sent: load.stats.sent, requests: load.stats.requests, answers: load.stats.statuses, accepted,
    stored: rows[0].stored, duplicates: rows[0].stored - rows[0].distinct_ids, acceptedStored: rows[0].accepted_stored,
  };
  console.log('fault tolerance figures', JSON.stringify(figures));

  expect(load.stats.statuses['503']).toBeGreaterThan(0);
  expect(Object.keys(load.stats.statuses).every((s) => ['202', '503', 'no answer'].includes(s))).toBe(true);
  expect(figures.duplicates).toBe(0);
  expect(figures.acceptedStored).toBe(accepted);
  // The client resent every 503 batch until it was accepted, so nothing else can be stored.
  expect(figures.stored).toBe(accepted);

  const connection = redisConnection(redis.url, 'worker');
  const queue = createIngestQueue(connection, { prefix: p.env.QUEUE_PREFIX! });
  expect(await queue.getJobCounts('failed', 'waiting', 'active', 'delayed')).toEqual({ failed: 0, waiting: 0, active: 0, delayed: 0 });
  await queue.close();
  connection.disconnect();
}, 600_000);

it('queues ingest jobs that used up their attempts while PostgreSQL was down again once it is back', async () => {
  const ws = await workspaceWithKey(p.pool);
  const worker = p.startWorker({ INGEST_RECOVER_EVERY_MS: '500' });
  const connection = redisConnection(redis.url, 'worker');
  const queue = createIngestQueue(connection, { prefix: p.env.QUEUE_PREFIX! });
  try {
    await ingestAndWait(p, ws, [{ occurred_at: '2026-10-01T00:00:00Z', provider: 'openai', model: 'gpt-4o-mini' }]); // the worker runs
    const parsed = parseEventBatch(Array.from({ length: 50 }, () => ({ id: randomUUID(), occurred_at: '2026-10-02T00:00:00Z', provider: 'openai', model: 'gpt-4o-mini' })));
    if (!parsed.ok) throw new Error('invalid fixture');

    await postgres.crash();
    // Two quick attempts: an outage longer than the real ~17 minutes of backoff, in a second.
    const job = await queue.add('batch', { workspaceId: ws.workspaceId, events: parsed.events }, { attempts: 2, backoff: { type: 'fixed', delay: 200 } });
    await waitFor(() => job.isFailed(), 60_000, 'the job to use up its attempts');
    expect((await queue.getJob(job.id!))!.failedReason).toMatch(/^database unavailable: /);
    await postgres.start();

    await waitFor(async () => (await storedCount(p.pool, ws.workspaceId).catch(() => 0)) === 51, 60_000, 'the batch, once the database is back');
    expect(await queue.getJobCounts('failed')).toEqual({ failed: 0 });
  } finally {
    worker.kill('SIGTERM');
    await queue.close();
    connection.disconnect();
  }
}, 180_000);
