// Gateways' callbacks, through the real API, queue and worker; the stored rows and costs checked:
// - LiteLLM's generic logging callback (callback_type: generic_api) at POST /v1/callbacks/litellm:
//   StandardLoggingPayload records (fixtures/litellm/generic-api.json, in the shape of
//   BerriAI/litellm docs/my-website/docs/proxy/logging_spec.md) in each of its log formats;
// - Helicone's webhook at POST /v1/callbacks/helicone/:key (fixtures/helicone/webhooks.json, in the
//   shape of Helicone's webhook sender and its test payload, generateMockWebhookData).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let ws: { workspaceId: string; key: string };
beforeAll(async () => {
  p = await startPlatform();
  ws = await workspaceWithKey(p.pool);
});
afterAll(async () => p?.stop());

const helicone = JSON.parse(readFileSync(new URL('./fixtures/helicone/webhooks.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
const records = JSON.parse(readFileSync(new URL('./fixtures/litellm/generic-api.json', import.meta.url), 'utf8')) as Array<Record<string, unknown>>;
const post = (body: string) => fetch(`${p.apiUrl}/v1/callbacks/litellm`, { method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': 'application/json' }, body });
const rows = (source = 'litellm') => p.pool.query(
  `SELECT provider, model, status, latency_ms, input_tokens::int, cache_read_tokens::int, output_tokens::int, total_cost::text, price_source, source,
          user_id, customer_id, feature, tags FROM usage_events WHERE workspace_id = $1 AND source = $2 ORDER BY occurred_at`, [ws.workspaceId, source]).then((r) => r.rows);

describe('POST /v1/callbacks/litellm', () => {
  it('stores each call of a JSON-array batch, with LiteLLM’s cost kept, once whatever the format it is resent in', async () => {
    expect((await post(JSON.stringify(records))).status).toBe(202);
    // The same records again as NDJSON and one by one (LiteLLM's other log formats): stored once.
    expect((await post(records.map((r) => JSON.stringify(r)).join('\n'))).status).toBe(202);
    expect((await post(JSON.stringify(records[0]))).status).toBe(202);
    await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) >= 2, 30_000, 'the calls');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await rows()).toEqual([
      {
        provider: 'openai', model: 'gpt-4o-mini', status: 'ok', latency_ms: 1250, input_tokens: 600, cache_read_tokens: 400, output_tokens: 150,
        total_cost: '0.000875', price_source: 'supplied', source: 'litellm', user_id: 'ana', customer_id: 'acme', feature: 'ticket-summary',
        tags: { team: 'support', key_alias: 'support-bot', call_type: 'acompletion', cache_hit: false, 'tag:nightly': true, env: 'prod', trace_id: 'litellm-trace-1' },
      },
      expect.objectContaining({ provider: 'anthropic', model: 'claude-sonnet-4-5', status: 'rate_limited', input_tokens: 0, total_cost: '0', user_id: 'ana', customer_id: null }),
    ]);
  });

  it('refuses a body that is not LiteLLM’s, naming what is wrong, and requires a key', async () => {
    const notJson = await post('{"id": ');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { message: string }).message).toMatch(/not a JSON array, a JSON object or NDJSON/);
    expect((await post('[1]')).status).toBe(400);
    expect((await fetch(`${p.apiUrl}/v1/callbacks/litellm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' })).status).toBe(401);
  });
});

describe('POST /v1/callbacks/helicone/:key', () => {
  const send = (body: unknown, key = ws.key) => fetch(`${p.apiUrl}/v1/callbacks/helicone/${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('stores each webhook once, usage from the provider’s response (or Helicone’s counts), Helicone’s cost kept', async () => {
    for (const payload of [helicone.openai, helicone.anthropic_large, helicone.openai]) expect((await send(payload)).status).toBe(202);
    await waitFor(async () => (await rows('helicone')).length >= 2, 30_000, 'the webhooks');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await rows('helicone')).toEqual([
      expect.objectContaining({ provider: 'openai', model: 'gpt-4o-2024-08-06', latency_ms: 930, input_tokens: 13, output_tokens: 17, total_cost: '0.0002025', price_source: 'supplied', user_id: 'ana' }),
      expect.objectContaining({ provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', input_tokens: 50, cache_read_tokens: 2000, output_tokens: 40, total_cost: '0.00126' }),
    ]);
  });

  it('refuses an unknown key in the path', async () => {
    expect((await send(helicone.openai, `sg_${'x'.repeat(43)}`)).status).toBe(401);
  });
});
