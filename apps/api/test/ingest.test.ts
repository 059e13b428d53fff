// The ingest path end to end: HTTP -> BullMQ -> worker -> TimescaleDB, real services.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPriceOverride } from '@spendgraph/db';
import { type Platform, postEvents, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
beforeAll(async () => {
  p = await startPlatform();
});
afterAll(async () => {
  await p?.stop();
});

const at = '2026-10-01T12:00:00.000Z';
const call = (over: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  occurred_at: at,
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  usage: { input_tokens: 1000, output_tokens: 100 },
  ...over,
});

async function storedRow(workspaceId: string, eventId: string) {
  return waitFor(async () => {
    const { rows } = await p.pool.query('SELECT * FROM usage_events WHERE workspace_id = $1 AND event_id = $2', [workspaceId, eventId]);
    return rows[0];
  }, 20_000, `event ${eventId} to be stored`);
}

describe('the usage_events table', () => {
  it('is a hypertable on occurred_at with daily chunks', async () => {
    const { rows } = await p.pool.query(
      `SELECT d.column_name, d.time_interval FROM timescaledb_information.dimensions d WHERE d.hypertable_name = 'usage_events'`,
    );
    expect(rows).toEqual([{ column_name: 'occurred_at', time_interval: { days: 1 } }]);
  });
});

describe('POST /v1/events', () => {
  it('stores an event with the cost of each token type', async () => {
    const { workspaceId, key } = await workspaceWithKey(p.pool);
    // Negotiated rates make every expected figure computable by hand.
    await addPriceOverride(p.pool, workspaceId, {
      provider: 'anthropic',
      model_pattern: '^claude-sonnet-4-5',
      effective_from: '2026-01-01T00:00:00Z',
      rates: { input: '3', output: '15', cache_read: '0.3', cache_write_5m: '3.75', cache_write_1h: '6' },
    });
    const e = call({
      usage: { input_tokens: 1234, cache_read_tokens: 20_000, cache_write_5m_tokens: 3_000, cache_write_1h_tokens: 1_000, output_tokens: 567 },
      plan_id: 'plan-7',
      user_id: 'ana',
    });
    const res = await postEvents(p.apiUrl, key, [e]);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, ids: [e.id] });
    const row = await storedRow(workspaceId, e.id);
    expect(row).toMatchObject({
      input_tokens: '1234',
      cache_read_tokens: '20000',
      input_cost: '0.003702', // 1234 × $3 / 1M
      cache_read_cost: '0.006', // 20000 × $0.30 / 1M
      cache_write_5m_cost: '0.01125', // 3000 × $3.75 / 1M
      cache_write_1h_cost: '0.006', // 1000 × $6 / 1M: the 1-hour rate, not the 5-minute one
      output_cost: '0.008505', // 567 × $15 / 1M
      reasoning_cost: '0',
      total_cost: '0.035457',
      unpriced: false,
      price_source: 'workspace',
      plan_id: 'plan-7',
      user_id: 'ana',
    });
  });

  it('prices from the catalog and normalises OpenAI-style cached and reasoning tokens', async () => {
    const { workspaceId, key } = await workspaceWithKey(p.pool);
    const e = call({
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      usage: { input_tokens: 10_000, cache_read_tokens: 4_000, output_tokens: 1_000 },
    });
    expect((await postEvents(p.apiUrl, key, [e])).status).toBe(202);
    const row = await storedRow(workspaceId, e.id);
    // Cached tokens are a subset of OpenAI's prompt tokens: 6,000 uncached + 4,000 cached.
    expect(row).toMatchObject({ input_tokens: '6000', cache_read_tokens: '4000', output_tokens: '1000', price_source: 'catalog', unpriced: false });
    // gpt-4o: $2.50 input, $1.25 cached input, $10 output per 1M tokens.
    expect(row).toMatchObject({ input_cost: '0.015', cache_read_cost: '0.005', output_cost: '0.01', total_cost: '0.03' });
  });

  it('stores an unknown model as unpriced with a null cost, never $0', async () => {
    const { workspaceId, key } = await workspaceWithKey(p.pool);
    const e = call({ provider: 'acme-internal', model: 'acme-coder-13b' });
    expect((await postEvents(p.apiUrl, key, [e])).status).toBe(202);
    const row = await storedRow(workspaceId, e.id);
    expect(row).toMatchObject({ unpriced: true, total_cost: null, input_cost: null, price_source: null, input_tokens: '1000' });
  });

  it('keeps a supplied cost and records where it came from', async () => {
    const { workspaceId, key } = await workspaceWithKey(p.pool);
    const e = { id: randomUUID(), occurred_at: at, kind: 'retrieval', cost: '0.000125', source: 'sdk', feature: 'search' };
    expect((await postEvents(p.apiUrl, key, [e])).status).toBe(202);
    const row = await storedRow(workspaceId, e.id);
    expect(row).toMatchObject({ kind: 'retrieval', total_cost: '0.000125', price_source: 'supplied', price_version: 'sdk', unpriced: false });
  });

  it('counts the same batch sent twice once', async () => {
    const { workspaceId, key } = await workspaceWithKey(p.pool);
    // Without client ids too: ids derived from the content make the retry idempotent.
    const batch = [call(), call(), { ...call(), id: undefined, user_id: 'derived-id' }];
    const first = await postEvents(p.apiUrl, key, batch);
    const second = await postEvents(p.apiUrl, key, batch);
    const ids1 = ((await first.json()) as { ids: string[] }).ids;
    const ids2 = ((await second.json()) as { ids: string[] }).ids;
    expect(ids2).toEqual(ids1);
    await waitFor(async () => (await storedCount(p.pool, workspaceId)) >= 3, 20_000, 'the batch to be stored');
    await new Promise((r) => setTimeout(r, 1000)); // the second copy has had time to be processed
    expect(await storedCount(p.pool, workspaceId)).toBe(3);
    const { rows } = await p.pool.query('SELECT sum(total_cost) AS total FROM usage_events WHERE workspace_id = $1', [workspaceId]);
    expect(rows[0].total).not.toBeNull();
  });

  it('stores only the new events of a batch that overlaps stored ones, and splits large batches into jobs', async () => {
    const { workspaceId, key } = await workspaceWithKey(p.pool);
    const stored = Array.from({ length: 3 }, () => call());
    expect((await postEvents(p.apiUrl, key, stored)).status).toBe(202);
    await waitFor(async () => (await storedCount(p.pool, workspaceId)) === 3, 20_000, 'the first batch');
    // 2,500 events: three jobs, the first of them starting with the three stored events.
    const fresh = Array.from({ length: 2_497 }, (_, i) => call({ user_id: `u${i % 7}` }));
    const res = await postEvents(p.apiUrl, key, [...stored, ...fresh]);
    expect(res.status).toBe(202);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(2_500);
    await waitFor(async () => (await storedCount(p.pool, workspaceId)) === 2_500, 30_000, 'the overlapping batch');
    await new Promise((r) => setTimeout(r, 500));
    expect(await storedCount(p.pool, workspaceId)).toBe(2_500);
  });

  it('accepts NDJSON', async () => {
    const { workspaceId, key } = await workspaceWithKey(p.pool);
    const body = [call(), call()].map((e) => JSON.stringify(e)).join('\n');
    const res = await postEvents(p.apiUrl, key, body, 'application/x-ndjson');
    expect(res.status).toBe(202);
    await waitFor(async () => (await storedCount(p.pool, workspaceId)) === 2, 20_000, 'NDJSON events');
  });

  it('rejects an invalid event with its index and field path, and accepts nothing of the batch', async () => {
    const { workspaceId, key } = await workspaceWithKey(p.pool);
    const res = await postEvents(p.apiUrl, key, [call(), call({ usage: { input_tokens: -5 } }), call({ occurred_at: 'yesterday' })]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: Array<{ index: number; path: string }> };
    expect(body.issues).toEqual([
      expect.objectContaining({ index: 1, path: 'usage.input_tokens' }),
      expect.objectContaining({ index: 2, path: 'occurred_at' }),
    ]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await storedCount(p.pool, workspaceId)).toBe(0);
  });

  it('rejects malformed JSON and NDJSON with a 400', async () => {
    const { key } = await workspaceWithKey(p.pool);
    expect((await postEvents(p.apiUrl, key, '[{"occurred_at":')).status).toBe(400);
    const nd = await postEvents(p.apiUrl, key, `${JSON.stringify(call())}\n{oops`, 'application/x-ndjson');
    expect(nd.status).toBe(400);
    expect(((await nd.json()) as { message: string }).message).toMatch(/line 2/);
    expect((await postEvents(p.apiUrl, key, { not: 'an array' })).status).toBe(400);
    expect((await postEvents(p.apiUrl, key, [])).status).toBe(400);
  });

  it('answers 401 without a key or with a wrong one, and 403 without the ingest scope', async () => {
    expect((await postEvents(p.apiUrl, undefined, [call()])).status).toBe(401);
    expect((await postEvents(p.apiUrl, 'sg_not-a-real-key', [call()])).status).toBe(401);
    const { key } = await workspaceWithKey(p.pool, ['read']);
    expect((await postEvents(p.apiUrl, key, [call()])).status).toBe(403);
  });

  it('never lets a key of workspace A write into workspace B', async () => {
    const a = await workspaceWithKey(p.pool);
    const b = await workspaceWithKey(p.pool);
    // Naming another workspace in the payload is refused outright...
    const res = await postEvents(p.apiUrl, a.key, [call({ workspace_id: b.workspaceId })]);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('workspace_id');
    // ...and an event id already used in B is stored separately under A.
    const shared = call();
    await postEvents(p.apiUrl, b.key, [shared]);
    await postEvents(p.apiUrl, a.key, [shared]);
    await waitFor(async () => (await storedCount(p.pool, a.workspaceId)) === 1 && (await storedCount(p.pool, b.workspaceId)) === 1, 20_000, 'both events');
    expect(await storedCount(p.pool, b.workspaceId)).toBe(1);
  });
});

describe('GET /ready', () => {
  it('reports Postgres and Redis as ok or unavailable, nothing more', async () => {
    const res = await fetch(`${p.apiUrl}/ready`);
    expect(await res.json()).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });
  });
});
