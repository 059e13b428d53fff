// The OpenAI/Anthropic proxy against a fake upstream on loopback, through the real API, queue and
// worker: pass-through (streamed and not), usage read and tagged from headers, upstream errors,
// and the hard-budget 429.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '@spendgraph/test-support/fake-llm';
import { createIngestQueue, redisConnection } from '@spendgraph/queue';
import { type Platform, graphqlData, ingestAndWait, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';
import { Spendgraph, wrapOpenAI } from '../../../packages/sdk/src/index.ts';

let p: Platform;
let upstream: FakeLlm;
let ws: { workspaceId: string; key: string };

beforeAll(async () => {
  upstream = await startFakeLlm();
  process.env.PROXY_OPENAI_UPSTREAM = upstream.url;
  process.env.PROXY_ANTHROPIC_UPSTREAM = upstream.url;
  p = await startPlatform();
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
});
afterAll(async () => {
  await p?.stop();
  await upstream?.close();
});

const proxied = (provider: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${p.apiUrl}/proxy/${provider}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-spendgraph-key': ws.key, ...headers },
    body: JSON.stringify(body),
  });

const proxyRows = () =>
  p.pool.query(`SELECT provider, model, status, input_tokens::int AS input, output_tokens::int AS output, cache_read_tokens::int AS cache_read,
                       cache_write_5m_tokens::int AS w5m, cache_write_1h_tokens::int AS w1h, reasoning_tokens::int AS reasoning, user_id, feature, session_id, tags
                  FROM usage_events WHERE workspace_id = $1 AND source = 'proxy' ORDER BY occurred_at`, [ws.workspaceId]).then((r) => r.rows);

describe('the proxy', () => {
  it('passes an OpenAI answer through and forwards neither our headers nor Helicone\'s', async () => {
    const res = await proxied('openai', 'v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, {
      authorization: 'Bearer sk-upstream', 'x-spendgraph-user-id': 'ana', 'x-spendgraph-feature': 'chat', 'Helicone-Property-Env': 'prod',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).choices[0].message.content).toBe('Hi');
    const sent = upstream.received.at(-1)!;
    expect(sent.headers.authorization).toBe('Bearer sk-upstream');
    expect(Object.keys(sent.headers).filter((h) => h.startsWith('x-spendgraph') || h.startsWith('helicone'))).toEqual([]);
  });

  it('streams through the real SDKs, asking OpenAI for the usage chunk', async () => {
    const openai = new OpenAI({ apiKey: 'sk-upstream', baseURL: `${p.apiUrl}/proxy/openai/v1`, defaultHeaders: { 'x-spendgraph-key': ws.key, 'x-spendgraph-session-id': 's-1' } });
    let text = '';
    for await (const chunk of await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true })) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('Hi');
    expect(upstream.received.at(-1)!.body.stream_options).toEqual({ include_usage: true });

    const anthropic = new Anthropic({ apiKey: 'sk-ant', baseURL: `${p.apiUrl}/proxy/anthropic`, defaultHeaders: { 'x-spendgraph-key': ws.key, 'Helicone-User-Id': 'bob' } });
    const stream = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], stream: true });
    let said = '';
    for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') said += event.delta.text;
    expect(said).toBe('Hi');
    expect(upstream.received.at(-1)!.headers.authorization).toBe('Bearer sk-ant');
    expect((await proxied('anthropic', 'v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [] })).status).toBe(200);
  });

  it('passes upstream errors through and records them', async () => {
    const limited = await proxied('openai', 'v1/chat/completions', { model: 'fail-429', messages: [] });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { message: 'upstream says 429' } });
    expect((await proxied('anthropic', 'v1/messages', { model: 'fail-500', messages: [] })).status).toBe(500);
  });

  it('records each call with its usage as disjoint token partitions', async () => {
    const rows = await waitFor(async () => {
      const r = await proxyRows();
      return r.length >= 6 && r;
    }, 30_000, 'six proxied calls to be stored');
    const openaiTokens = { input: 20, output: 20, cache_read: 100, w5m: 0, w1h: 0, reasoning: 10 };
    const anthropicTokens = { input: 50, output: 77, cache_read: 400, w5m: 20, w1h: 40, reasoning: 0 };
    expect(rows).toEqual([
      { provider: 'openai', model: 'gpt-4o-2024-08-06', status: 'ok', ...openaiTokens, user_id: 'ana', feature: 'chat', session_id: null, tags: { env: 'prod' } },
      { provider: 'openai', model: 'gpt-4o-2024-08-06', status: 'ok', ...openaiTokens, user_id: null, feature: null, session_id: 's-1', tags: {} },
      { provider: 'anthropic', model: 'claude-sonnet-4-5', status: 'ok', ...anthropicTokens, user_id: 'bob', feature: null, session_id: null, tags: {} },
      { provider: 'anthropic', model: 'claude-sonnet-4-5', status: 'ok', ...anthropicTokens, user_id: null, feature: null, session_id: null, tags: {} },
      { provider: 'openai', model: 'fail-429', status: 'rate_limited', input: 0, output: 0, cache_read: 0, w5m: 0, w1h: 0, reasoning: 0, user_id: null, feature: null, session_id: null, tags: {} },
      { provider: 'anthropic', model: 'fail-500', status: 'error', input: 0, output: 0, cache_read: 0, w5m: 0, w1h: 0, reasoning: 0, user_id: null, feature: null, session_id: null, tags: {} },
    ]);
  });

  it('answers 429 with the reason when a hard budget is spent, without calling the upstream', async () => {
    // The first instant of today (UTC): in the daily budget's period at any hour the suite runs.
    await ingestAndWait(p, ws, [{ occurred_at: new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000).toISOString(), provider: 'openai', model: 'gpt-4o', user_id: 'over', cost: '3' }]);
    await graphqlData(p.apiUrl, ws.key, 'mutation ($input: BudgetInput!) { createBudget(input: $input) { id } }', {
      input: { name: 'over daily', period: 'daily', amount: '1', mode: 'hard', scope: [{ member: 'user_id', values: ['over'] }] },
    });
    const before = upstream.received.length;
    const res = await proxied('openai', 'v1/chat/completions', { model: 'gpt-4o', messages: [] }, { 'x-spendgraph-user-id': 'over' });
    expect(res.status).toBe(429);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ error: 'budget_exceeded', allow: false, budgets: [{ name: 'over daily', blocking: true }] });
    expect(body.message).toContain("hard budget 'over daily'");
    expect(upstream.received.length).toBe(before);
    expect((await proxied('openai', 'v1/chat/completions', { model: 'gpt-4o', messages: [] }, { 'x-spendgraph-user-id': 'ana' })).status).toBe(200);
  });

  it('stores a call recorded by both the proxy and the SDK once', async () => {
    const both = await workspaceWithKey(p.pool, ['ingest']);
    const sg = new Spendgraph({ baseUrl: p.apiUrl, apiKey: both.key, flushIntervalMs: 20 });
    // The SDK stamps the call's start, the proxy the moment the request reaches it: later, surely so with this delay.
    const delayed: typeof fetch = async (url, init) => (await new Promise((r) => setTimeout(r, 25)), fetch(url, init));
    const openai = wrapOpenAI(new OpenAI({ apiKey: 'sk-upstream', baseURL: `${p.apiUrl}/proxy/openai/v1`, fetch: delayed, defaultHeaders: { 'x-spendgraph-key': both.key } }), sg);
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    await sg.close();

    const connection = redisConnection(p.env.REDIS_URL!, 'worker');
    const queue = createIngestQueue(connection, { prefix: p.env.QUEUE_PREFIX! });
    try {
      // Both records were queued (the proxy's once its answer ended); wait until both jobs ran.
      await waitFor(async () => {
        const jobs = (await queue.getJobs(['completed', 'waiting', 'prioritized', 'delayed', 'active'])).filter((j) => j.data.workspaceId === both.workspaceId);
        return jobs.length === 2 && (await Promise.all(jobs.map((j) => j.isCompleted()))).every(Boolean);
      }, 30_000, 'both records to be processed');
      const { rows } = await p.pool.query('SELECT event_id, source FROM usage_events WHERE workspace_id = $1', [both.workspaceId]);
      expect(rows).toHaveLength(1);
      expect(['proxy', 'sdk']).toContain(rows[0].source);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('rejects a missing key and a bad tag, and answers 502 when the upstream is down', async () => {
    const noKey = await fetch(`${p.apiUrl}/proxy/openai/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as any).message).toContain('x-spendgraph-key');
    const badTag = await proxied('openai', 'v1/chat/completions', { model: 'gpt-4o' }, { 'x-spendgraph-user-id': 'x'.repeat(300) });
    expect(badTag.status).toBe(400);
    expect(((await badTag.json()) as any).field).toBe('user_id');
    await upstream.close();
    const down = await proxied('openai', 'v1/chat/completions', { model: 'gpt-4o' });
    expect(down.status).toBe(502);
    expect(((await down.json()) as any).error).toBe('upstream_unavailable');
  });
});
