// The scale-out topology on one machine: two API processes, two workers (one `ingest` only, one
// for the other queues) and a PostgreSQL streaming replica the APIs' queries and exports read
// from (DATABASE_READ_URL), while writes, roll-up builds and budget spend stay on the primary.
// Under load across both APIs, with the replica killed and restarted: every accepted event is
// stored exactly once; both APIs answer the same totals as the raw events once the replica has
// caught up, and say how current they are; a hard budget crossed through one API denies on both;
// a scheduled job runs once per period however many workers serve its queue.
import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '@spendgraph/db';
import { BUDGETS_QUEUE, EVALUATE_BUDGETS_JOB } from '@spendgraph/queue';
import { type Platform, graphqlRequest, postEvents, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';
import { type PrivateService, privatePostgres, privateReplica } from '@spendgraph/test-support/private-services';

let primary: PrivateService;
let replica: PrivateService;
let apis: Platform[] = [];
const operatorToken = randomBytes(32).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  primary = await privatePostgres('scale-primary');
  await migrate(primary.url);
  replica = await privateReplica('scale-replica', primary.url);
  const env = {
    DATABASE_READ_URL: replica.url, QUEUE_PREFIX: `sg-test-${randomUUID()}`, SPENDGRAPH_ROLLUP_SCHEMA: 'rollups_scale',
    OPERATOR_TOKEN: operatorToken, BUDGET_EVAL_EVERY_MS: '0',
  };
  apis = await Promise.all([0, 1].map(() => startPlatform({ worker: false, databaseUrl: primary.url, env })));
  apis[0]!.startWorker({ WORKER_QUEUES: 'ingest' });
  apis[1]!.startWorker({ WORKER_QUEUES: 'maintenance,budgets,alerts,insights' });
}, 300_000);

afterAll(async () => {
  for (const p of apis) await p.stop();
  await replica?.destroy();
  await primary?.destroy();
});

const DAY = Date.UTC(2026, 10, 2);
/** Batches of new events, sent round-robin to both APIs; a 503 or no answer is resent with the same ids. */
async function sendBatches(key: string, batches: number, perBatch = 50) {
  const accepted = new Set<string>();
  let expectedCost = 0n; // in micro-dollars: exact
  for (let b = 0; b < batches; b++) {
    const events = Array.from({ length: perBatch }, (_, i) => {
      const micros = BigInt(1000 + ((b * perBatch + i) % 997));
      return { id: randomUUID(), occurred_at: new Date(DAY + (b * perBatch + i) * 1000).toISOString(), provider: 'openai', model: 'gpt-4o-mini', cost: `0.${micros.toString().padStart(6, '0')}`, micros };
    });
    const api = apis[b % 2]!.apiUrl;
    for (;;) {
      const status = await postEvents(api, key, events.map(({ micros: _m, ...e }) => e)).then((r) => r.status, () => 0);
      if (status === 202) break;
      if (status !== 503 && status !== 0) throw new Error(`ingest answered ${status}`);
      await sleep(200);
    }
    for (const e of events) { accepted.add(e.id); expectedCost += e.micros; }
  }
  return { accepted, expectedCost };
}

const TOTALS = `{ breakdown(measures: ["total_cost", "calls"], by: []) { measures { measure value } } }`;
async function totals(apiUrl: string, key: string) {
  const { body } = await graphqlRequest(apiUrl, key, TOTALS);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const m = Object.fromEntries(body.data.breakdown.measures.map((x: { measure: string; value: string }) => [x.measure, x.value]));
  return { cost: m.total_cost as string, calls: m.calls as string, replica: body.extensions?.readReplica as { asOf: string; lagMs: number } | undefined };
}

describe('two APIs, two workers and a read replica', () => {
  it('store every accepted event exactly once across replica kills, and both APIs answer the raw totals from the replica', async () => {
    const p = apis[0]!;
    const ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
    const first = await sendBatches(ws.key, 10);
    await replica.crash(); // ingest must not notice; reads, which go there, say so
    const down = await graphqlRequest(apis[1]!.apiUrl, ws.key, TOTALS);
    expect(down.body.errors[0]).toMatchObject({ message: 'the database is busy; retry', extensions: { code: 'UNAVAILABLE' } });
    const second = await sendBatches(ws.key, 10);
    await replica.start();
    await replica.crash();
    await replica.start();
    const third = await sendBatches(ws.key, 10);
    const accepted = new Set([...first.accepted, ...second.accepted, ...third.accepted]);
    await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) >= accepted.size, 120_000, 'every accepted event stored');
    const { rows: [stored] } = await p.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS ids, sum(total_cost)::text AS cost FROM usage_events WHERE workspace_id = $1`, [ws.workspaceId]);
    expect(stored).toMatchObject({ n: accepted.size, ids: accepted.size });
    const micros = first.expectedCost + second.expectedCost + third.expectedCost;
    expect(Number(stored.cost)).toBeCloseTo(Number(micros) / 1e6, 9);

    // Both APIs read the replica: once it has replayed the primary, each answers the raw totals.
    for (const api of apis) {
      const answer = await waitFor(async () => {
        const t = await totals(api.apiUrl, ws.key).catch(() => undefined);
        return t && Number(t.calls) === accepted.size ? t : undefined;
      }, 60_000, 'the replica to catch up');
      expect(Number(answer.cost)).toBeCloseTo(Number(stored.cost), 9);
      expect(answer.replica).toMatchObject({ lagMs: expect.any(Number), asOf: expect.any(String) });
      expect(Date.parse(answer.replica!.asOf)).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('report the replica lag in /metrics and on exports', async () => {
    for (const api of apis) {
      const text = await (await fetch(`${api.apiUrl}/metrics`, { headers: { authorization: `Bearer ${operatorToken}` } })).text();
      const lag = /^spendgraph_read_replica_lag_seconds(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1];
      expect(Number(lag)).toBeGreaterThanOrEqual(0);
    }
    const ws = await workspaceWithKey(apis[0]!.pool, ['ingest', 'read']);
    const res = await fetch(`${apis[1]!.apiUrl}/v1/exports/events?format=csv`, { headers: { authorization: `Bearer ${ws.key}` } });
    expect(res.status).toBe(200);
    await res.text();
    expect(Date.parse(res.headers.get('x-spendgraph-as-of') ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('deny on both APIs once a hard budget is crossed through one of them', async () => {
    const ws = await workspaceWithKey(apis[0]!.pool, ['ingest', 'read', 'admin']);
    const made = await graphqlRequest(apis[0]!.apiUrl, ws.key, `mutation { createBudget(input: { name: "cap", period: lifetime, amount: "1", mode: hard, wholeWorkspace: true }) { id } }`);
    expect(made.body.errors).toBeUndefined();
    const check = (api: Platform) => fetch(`${api.apiUrl}/v1/guard/check?model=gpt-4o`, { headers: { authorization: `Bearer ${ws.key}` } }).then((r) => r.json());
    for (const api of apis) expect(await check(api)).toMatchObject({ allow: true });
    // The moment the worker announces the crossing evaluation (Redis pub/sub), and when each API first denies.
    const listener = new Redis(inject('redisUrl'));
    const announced = new Promise<number>((resolve) => {
      listener.on('message', (_channel, message: string) => {
        if (message.includes(ws.workspaceId) && message.includes('"spend":"1.5')) resolve(Date.now());
      });
    });
    await listener.subscribe(`${apis[0]!.env.QUEUE_PREFIX}:budgets-changed`);
    const crossing = [{ id: randomUUID(), occurred_at: new Date().toISOString(), provider: 'openai', model: 'gpt-4o', cost: '1.5' }];
    expect((await postEvents(apis[1]!.apiUrl, ws.key, crossing)).status).toBe(202);
    const accepted = Date.now();
    const deniedAt = await Promise.all(apis.map(async (api) => {
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        if (((await check(api)) as { allow: boolean }).allow === false) return Date.now();
      }
      throw new Error('the guard never denied');
    }));
    const at = await announced;
    listener.disconnect();
    process.stderr.write(`scale-out: both APIs deny ${deniedAt.map((t) => t - at).join(' / ')} ms after the evaluation announced the crossing (${at - accepted} ms after the batch's 202: ingest + evaluation)\n`);
  });

  it('run a scheduled job once per period however many workers serve its queue', async () => {
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const queue = new Queue(BUDGETS_QUEUE, { connection: redis, prefix: apis[0]!.env.QUEUE_PREFIX });
    try {
      const extra = [apis[0]!.startWorker({ WORKER_QUEUES: 'budgets', BUDGET_EVAL_EVERY_MS: '1000' }), apis[1]!.startWorker({ WORKER_QUEUES: 'budgets', BUDGET_EVAL_EVERY_MS: '1000' })];
      await waitFor(async () => (await queue.getCompleted()).filter((j) => j.id?.startsWith('repeat:')).length >= 6, 60_000, 'six scheduled evaluations');
      for (const w of extra) w.kill('SIGTERM');
      // Scheduled runs carry their period in their id (repeat:<scheduler>:<ms>); runs asked for by a batch do not.
      const scheduled = (await queue.getCompleted())
        .filter((j) => j.name === EVALUATE_BUDGETS_JOB && j.id?.startsWith('repeat:'))
        .map((j) => Number(j.id!.split(':').at(-1)))
        .sort((x, y) => x - y);
      expect(scheduled.length).toBeGreaterThanOrEqual(6);
      const gaps = scheduled.slice(1).map((t, i) => t - scheduled[i]!);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000); // never two runs in one period
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});
