// A 202 is a promise: each accepted event id is stored once per workspace whatever its
// occurred_at (the first stored wins), and a row the database refuses costs only itself —
// it goes to the dead letters with its reason, shown in systemStatus and replayable.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestJobData, type IngestJobResult, createIngestQueue, redisConnection } from '@spendgraph/queue';
import { type IngestEvent, parseEventBatch } from '@spendgraph/schema';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Platform, graphqlData, graphqlRequest, postEvents, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let connection: Redis;
let queue: Queue<IngestJobData, IngestJobResult>;
beforeAll(async () => {
  p = await startPlatform();
  connection = redisConnection(p.env.REDIS_URL!, 'worker');
  queue = createIngestQueue(connection, { prefix: p.env.QUEUE_PREFIX! });
});
afterAll(async () => {
  await queue?.close();
  connection?.disconnect();
  await p?.stop();
});

const call = (over: Record<string, unknown> = {}) => ({
  id: randomUUID(), occurred_at: '2026-10-01T12:00:00.000Z', provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 100, output_tokens: 10 }, ...over,
});

async function accept(key: string, events: unknown[]) {
  const res = await postEvents(p.apiUrl, key, events);
  expect(res.status, await res.clone().text()).toBe(202);
}

/** Every job of this platform's ingest queue has finished (none waiting, delayed or running). */
async function drained() {
  await waitFor(async () => {
    const c = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    return Object.values(c).every((n) => n === 0);
  }, 60_000, 'the ingest queue to drain');
}

const rowsOf = async (workspaceId: string, eventId: string) =>
  (await p.pool.query(`SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM usage_events
                        WHERE workspace_id = $1 AND event_id = $2`, [workspaceId, eventId])).rows.map((r) => r.at);

/** Queued events as the API would queue them (valid), to be spoiled by a test: what an older or buggier API might have let through. */
function ingestEvents(n: number): IngestEvent[] {
  const r = parseEventBatch(Array.from({ length: n }, (_, i) => call({ occurred_at: new Date(Date.UTC(2026, 9, 1) + i * 1000).toISOString() })));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.events;
}

const DEAD_LETTERS = `{ systemStatus { deadLetters { count oldestAt recent { eventId occurredAt code error failedAt attempts } } } }`;

describe('one event id, one row', () => {
  it('stores an id sent again with another occurred_at once, at the first time stored', async () => {
    const ws = await workspaceWithKey(p.pool);
    const first = call({ occurred_at: '2026-10-01T12:00:00.000Z' });
    await accept(ws.key, [first]);
    await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) === 1, 20_000, 'the first copy');
    // A client retry that re-stamps, and the same id in upper case.
    await accept(ws.key, [{ ...first, occurred_at: '2026-10-01T12:00:01.500Z' }]);
    await accept(ws.key, [{ ...first, id: first.id.toUpperCase(), occurred_at: '2026-10-03T00:00:00.000Z' }]);
    await drained();
    expect(await rowsOf(ws.workspaceId, first.id)).toEqual(['2026-10-01T12:00:00.000Z']);
  });

  it('stores an id repeated within one batch once, at its first occurrence', async () => {
    const ws = await workspaceWithKey(p.pool);
    const e = call({ occurred_at: '2026-10-02T08:00:00.000Z' });
    const other = call();
    await accept(ws.key, [e, other, { ...e, occurred_at: '2026-10-02T08:00:00.250Z', usage: { input_tokens: 999 } }]);
    await drained();
    expect(await rowsOf(ws.workspaceId, e.id)).toEqual(['2026-10-02T08:00:00.000Z']);
    expect(await storedCount(p.pool, ws.workspaceId)).toBe(2);
  });
});

describe('rows the database refuses', () => {
  it('go to the dead letters with their reason, and the rest of their batch is stored', async () => {
    const ws = await workspaceWithKey(p.pool, ['ingest', 'admin']);
    const events = ingestEvents(1000);
    const yearZero = { ...events[10]!, occurred_at: '0000-01-01T00:00:00.000Z' };
    const nul = { ...events[500]!, model: 'gpt\u0000-4o' };
    const hugeLatency = { ...events[998]!, latency_ms: 3e9 };
    const badTag = { ...events[999]!, tags: { note: 'a\u0000b' } };
    const batch = events.map((e, i) => ({ 10: yearZero, 500: nul, 998: hugeLatency, 999: badTag })[i] ?? e);
    const job = await queue.add('batch', { workspaceId: ws.workspaceId, events: batch });

    const result = await waitFor(async () => (await queue.getJob(job.id!))?.returnvalue, 60_000, 'the job to complete');
    expect(result).toEqual({ inserted: 996, duplicates: 0, deadLettered: 4 });
    expect(await storedCount(p.pool, ws.workspaceId)).toBe(996);

    const { deadLetters } = (await graphqlData(p.apiUrl, ws.key, DEAD_LETTERS)).systemStatus;
    expect(deadLetters.count).toBe(4);
    const byId = Object.fromEntries(deadLetters.recent.map((d: any) => [d.eventId, d]));
    expect(byId[yearZero.event_id]).toMatchObject({ occurredAt: '0000-01-01T00:00:00.000Z', code: '22008', attempts: 1 });
    expect(byId[yearZero.event_id].error).toMatch(/out of range/);
    expect(byId[nul.event_id].code).toMatch(/^22/);
    expect(byId[hugeLatency.event_id].code).toBe('22003');
    expect(byId[badTag.event_id].code).toMatch(/^22/);
    // The dead letter keeps the event as queued (NUL included), for a replay.
    const { rows } = await p.pool.query('SELECT event FROM ingest_dead_letters WHERE workspace_id = $1 AND event_id = $2', [ws.workspaceId, nul.event_id]);
    expect(JSON.parse(rows[0].event)).toEqual(nul);
  });

  it('are stored by an admin replay once the cause is fixed; other keys cannot replay', async () => {
    const ws = await workspaceWithKey(p.pool, ['ingest', 'admin']);
    const [refused, fine] = [call(), call()];
    // A constraint stands in for whatever made the database refuse the row (fixed below).
    await p.pool.query(`ALTER TABLE usage_event_ids ADD CONSTRAINT refuse_one_event CHECK (event_id <> '${refused.id}')`);
    try {
      await accept(ws.key, [refused, fine]);
      await drained();
      expect(await storedCount(p.pool, ws.workspaceId)).toBe(1);
      const { deadLetters } = (await graphqlData(p.apiUrl, ws.key, DEAD_LETTERS)).systemStatus;
      expect(deadLetters).toMatchObject({ count: 1, recent: [{ eventId: refused.id, code: '23514', attempts: 1 }] });
    } finally {
      await p.pool.query('ALTER TABLE usage_event_ids DROP CONSTRAINT refuse_one_event');
    }

    const reader = await workspaceWithKey(p.pool, ['read']);
    const replay = `mutation($ids: [ID!]) { replayDeadLetters(eventIds: $ids) { queued } }`;
    const denied = await graphqlRequest(p.apiUrl, reader.key, replay, { ids: [refused.id] });
    expect(denied.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const bad = await graphqlRequest(p.apiUrl, ws.key, replay, { ids: ['nope'] });
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'eventIds[0]' });

    expect((await graphqlData(p.apiUrl, ws.key, replay, { ids: [refused.id] })).replayDeadLetters).toEqual({ queued: 1 });
    await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) === 2, 20_000, 'the replayed event');
    expect((await graphqlData(p.apiUrl, ws.key, DEAD_LETTERS)).systemStatus.deadLetters).toEqual({ count: 0, oldestAt: null, recent: [] });
    expect(await rowsOf(ws.workspaceId, refused.id)).toEqual(['2026-10-01T12:00:00.000Z']);
  });
});
