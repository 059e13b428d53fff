// Property: for any sequence of batches the API accepts — random valid events, ids repeated
// within and across batches, retries re-stamped with another occurred_at, upper-case ids,
// hostile but valid values (COPY's own escapes, 4-byte characters, extreme numbers, the
// edges of the occurred_at window) — the stored ids are exactly the accepted ids, each
// stored once, at the occurred_at of its first accepted copy, and nothing is dead-lettered
// (what the API accepts, Postgres stores). Checked with SQL over the real pipeline.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IngestJobData, type IngestJobResult, createIngestQueue, redisConnection } from '@spendgraph/queue';
import { MAX_CLOCK_SKEW_MS, OCCURRED_AT_MIN } from '@spendgraph/schema';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Platform, postEvents, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

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

// Text COPY and JSON must carry verbatim: COPY's escapes and end marker, SQL, 4-byte and invisible characters.
const HOSTILE = ['\\N', '\\.', 'a\\', 'tab\there', 'line\nbreak', 'cr\rlf\r\n', "'; DROP TABLE usage_events; --", '"quoted"',
  '😀'.repeat(100), '𝔘'.repeat(100), '\u202eevil', '\ufeffbom', 'x'.repeat(200)];
const storable = (s: string) => s.isWellFormed() && !s.includes('\u0000');
const label = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }))
  .filter((s) => storable(s) && s.trim().length > 0 && s.trim().length <= 200);
const tagValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }).filter(storable),
  fc.constantFrom(...HOSTILE, ''),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(Number.MAX_VALUE, Number.MIN_VALUE, -0, 2 ** 53 + 2, -1e-300),
  fc.boolean(),
);

// A fixed clock for the past; the window's upper edge is the only time read at run time.
const FROM = Date.parse(OCCURRED_AT_MIN);
const TO = Date.parse('2026-11-30T00:00:00Z');
const occurredAt = fc.oneof(
  fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms).toISOString()),
  fc.constantFrom(OCCURRED_AT_MIN, '2000-01-01T01:00:00+01:00', '2026-10-01T12:00:00.123456Z'),
  fc.constant('ahead').map(() => new Date(Date.now() + MAX_CLOCK_SKEW_MS - 3_600_000).toISOString()),
);

const event = fc.record({
  occurred_at: occurredAt,
  provider: fc.constantFrom('openai', 'anthropic', 'google', 'OpenAI'),
  model: fc.oneof(fc.constantFrom('gpt-4o', 'claude-sonnet-4-5', 'gemini-2.5-pro'), label),
  status: fc.constantFrom('ok', 'error', 'rate_limited', 'timeout', 'cancelled'),
  latency_ms: fc.integer({ min: 0, max: 86_400_000 }),
  usage: fc.record({
    input_tokens: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constant(1e12)),
    output_tokens: fc.integer({ min: 0, max: 1e12 }),
    cache_read_tokens: fc.constant(0),
    convention: fc.constant('disjoint' as const),
  }),
  user_id: label,
  plan_id: label,
  tags: fc.dictionary(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter(storable), tagValue, { maxKeys: 5 }),
}, { requiredKeys: ['occurred_at', 'provider', 'model'] });

const costed = fc.record({
  kind: fc.constantFrom('tool', 'retrieval', 'infra'),
  occurred_at: occurredAt,
  cost: fc.constantFrom('0', '999999999999999.999999999999999999', '0.000000000000000001', '12.5'),
});

/** One send: events, some reusing ids from earlier sends (`reuse` picks one), some re-stamped, some in upper case. */
const send = fc.array(
  fc.record({
    body: fc.oneof({ weight: 4, arbitrary: event }, { weight: 1, arbitrary: costed }),
    id: fc.oneof(fc.constant<'new'>('new'), fc.constant<'none'>('none'), fc.nat({ max: 1_000 }).map((n) => ({ reuse: n }))),
    upper: fc.boolean(),
  }),
  { minLength: 1, maxLength: 100 },
);

it('stores exactly the accepted ids, each once, at the time of its first accepted copy', async () => {
  const figures = { runs: 0, requests: 0, eventsSent: 0, idsAccepted: 0, rowsStored: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(send, { minLength: 1, maxLength: 4 }), async (sends) => {
      const ws = await workspaceWithKey(p.pool);
      const known: string[] = [];
      const firstAt = new Map<string, number>();
      for (const events of sends) {
        const body = events.map(({ body, id, upper }) => {
          const chosen = id === 'new' ? randomUUID() : id === 'none' ? undefined : known[id.reuse % Math.max(1, known.length)];
          return chosen ? { ...body, id: upper ? chosen.toUpperCase() : chosen } : body;
        });
        const res = await postEvents(p.apiUrl, ws.key, body);
        figures.requests++;
        figures.eventsSent += body.length;
        const answer = (await res.json()) as { ids: string[] };
        expect(res.status, JSON.stringify(answer)).toBe(202);
        answer.ids.forEach((id, i) => {
          if (!firstAt.has(id)) firstAt.set(id, Date.parse(body[i]!.occurred_at));
          known.push(id);
        });
        await drained(); // the next send is a later one: its copies of an id must lose
      }
      const { rows } = await p.pool.query(
        `SELECT event_id, count(*)::int AS copies, min(extract(epoch FROM occurred_at) * 1000)::float8 AS at
           FROM usage_events WHERE workspace_id = $1 GROUP BY event_id`, [ws.workspaceId]);
      const stored = new Map(rows.map((r) => [r.event_id as string, r]));
      expect([...stored.keys()].sort()).toEqual([...firstAt.keys()].sort());
      expect(rows.filter((r) => r.copies !== 1)).toEqual([]);
      for (const [id, at] of firstAt) expect(stored.get(id)!.at, id).toBeCloseTo(at, 0);
      const { rows: ids } = await p.pool.query('SELECT count(*)::int AS n FROM usage_event_ids WHERE workspace_id = $1', [ws.workspaceId]);
      expect(ids[0].n).toBe(firstAt.size);
      const { rows: dead } = await p.pool.query('SELECT event_id, error FROM ingest_dead_letters WHERE workspace_id = $1', [ws.workspaceId]);
      expect(dead).toEqual([]);
      figures.runs++;
      figures.idsAccepted += firstAt.size;
      figures.rowsStored += rows.length;
    }),
    { numRuns: Number(process.env.PROPERTY_RUNS ?? 40), seed: Number(process.env.PROPERTY_SEED ?? 20261202), endOnFailure: true },
  );
  console.log('ingest property figures', JSON.stringify(figures));
}, 600_000);

async function drained() {
  await waitFor(async () => {
    const c = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    return Object.values(c).every((n) => n === 0);
  }, 60_000, 'the ingest queue to drain');
}
