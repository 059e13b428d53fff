// CloudEvents on the ingest route, as OpenMeter users send them: the quickstart's structured event,
// a batch, and LiteLLM's OpenMeter callback payload at OpenMeter's own path — through the real API,
// queue and worker, checked in the stored rows and their costs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPriceOverride } from '@spendgraph/db';
import { type Platform, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let ws: { workspaceId: string; key: string };
beforeAll(async () => {
  p = await startPlatform();
  ws = await workspaceWithKey(p.pool);
  // Negotiated rates make every cost computable by hand.
  await addPriceOverride(p.pool, ws.workspaceId, { provider: 'openai', model_pattern: '^gpt-4o', effective_from: '2026-01-01T00:00:00Z', rates: { input: '2', output: '8' } });
});
afterAll(async () => p?.stop());

const post = (body: unknown, type: string, path = '/v1/events') =>
  fetch(`${p.apiUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': type }, body: JSON.stringify(body) });

const rows = (source: string) => p.pool.query(
  `SELECT customer_id, provider, model, occurred_at, input_tokens::int, output_tokens::int, total_cost::text, price_source, source, feature, tags
     FROM usage_events WHERE workspace_id = $1 AND tags->>'ce_source' = $2 ORDER BY occurred_at, input_tokens`, [ws.workspaceId, source]).then((r) => r.rows);

describe('CloudEvents on POST /v1/events', () => {
  it('stores a structured event (OpenMeter’s LLM example) once per id and source, priced, the subject as the customer', async () => {
    const event = {
      specversion: '1.0', type: 'prompt', id: '00001', time: '2026-10-01T00:00:00.001Z', source: 'chat-app', subject: 'customer-1',
      data: { tokens: '123456', model: 'gpt-4o', provider: 'openai', type: 'input', route: '/chat' },
    };
    for (let i = 0; i < 2; i++) expect((await post(event, 'application/cloudevents+json')).status).toBe(202);
    // The same id from another source is another event.
    expect((await post({ ...event, source: 'other-app' }, 'application/cloudevents+json; charset=utf-8')).status).toBe(202);
    await waitFor(async () => (await rows('other-app')).length === 1, 30_000, 'the other source’s event');
    const [row] = await rows('chat-app');
    expect(await rows('chat-app')).toHaveLength(1);
    expect(row).toMatchObject({
      customer_id: 'customer-1', provider: 'openai', model: 'gpt-4o', occurred_at: new Date('2026-10-01T00:00:00.001Z'),
      input_tokens: 123456, output_tokens: 0, total_cost: '0.246912', // 123456 × $2 / 1M
      price_source: 'workspace', source: 'cloudevents', tags: { ce_type: 'prompt', ce_source: 'chat-app', route: '/chat' },
    });
  });

  it('stores a batch, with context and token counts in data and a supplied cost kept', async () => {
    const batch = [
      { specversion: '1.0', type: 'llm.call', id: 'b-1', time: '2026-10-02T10:00:00Z', source: 'batch-app', subject: 'acme', data: { provider: 'openai', model: 'gpt-4o-mini', input_tokens: 1000, output_tokens: 500, feature: 'search' } },
      { specversion: '1.0', type: 'llm.call', id: 'b-2', time: '2026-10-02T10:00:01Z', source: 'batch-app', subject: 'acme', data: { model: 'openai/gpt-4o', prompt_tokens: 2000, completion_tokens: 100, cost: '0.5', customer_id: 'globex' } },
    ];
    const res = await post(batch, 'application/cloudevents-batch+json');
    expect(res.status).toBe(202);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(2);
    const stored = await waitFor(async () => ((await rows('batch-app')).length === 2 ? rows('batch-app') : undefined), 30_000, 'the batch');
    expect(stored).toMatchObject([
      { customer_id: 'acme', provider: 'openai', model: 'gpt-4o-mini', input_tokens: 1000, output_tokens: 500, total_cost: '0.006', feature: 'search' },
      { customer_id: 'globex', provider: 'openai', model: 'gpt-4o', input_tokens: 2000, output_tokens: 100, total_cost: '0.5', price_source: 'supplied' },
    ]);
  });

  it('takes LiteLLM’s OpenMeter callback at OpenMeter’s path: the model’s provider from the catalog, its response_cost kept', async () => {
    // litellm/integrations/openmeter.py: _common_logic (time from Python's isoformat, cost a float).
    const payload = {
      specversion: '1.0', type: 'litellm_tokens', id: 'chatcmpl-9xYz', time: '2026-10-03T08:30:00.123456+00:00', subject: 'user-7', source: 'litellm-proxy',
      data: { model: 'gpt-4o', cost: 0.00123, prompt_tokens: 300, completion_tokens: 40, total_tokens: 340 },
    };
    expect((await post(payload, 'application/cloudevents+json', '/api/v1/events')).status).toBe(202);
    const [row] = await waitFor(async () => ((await rows('litellm-proxy')).length ? rows('litellm-proxy') : undefined), 30_000, 'the LiteLLM event');
    expect(row).toMatchObject({ customer_id: 'user-7', provider: 'openai', model: 'gpt-4o', input_tokens: 300, output_tokens: 40, total_cost: '0.00123', price_source: 'supplied' });
  });

  it('refuses a bad envelope or data with 400 naming the CloudEvent’s own field, and stores nothing of the batch', async () => {
    const before = await storedCount(p.pool, ws.workspaceId);
    const ok = { specversion: '1.0', type: 't', id: 'r-1', source: 'refused-app', data: { provider: 'openai', model: 'gpt-4o', input_tokens: 1 } };
    const cases: Array<[unknown, string, string]> = [
      [[ok, { ...ok, specversion: '0.3' }], 'application/cloudevents-batch+json', 'specversion'],
      [[ok, { ...ok, id: 'r-2', time: 'yesterday' }], 'application/cloudevents-batch+json', 'time'],
      [[ok, { ...ok, id: 'r-3', data: { provider: 'openai', input_tokens: 5 } }], 'application/cloudevents-batch+json', 'data.model'],
      [[ok, { ...ok, id: 'r-4', data: { model: 'gpt-4o', prompt_tokens: 'many' } }], 'application/cloudevents-batch+json', 'data.usage.input_tokens'],
      [{ ...ok, subject: '' }, 'application/cloudevents+json', 'subject'],
    ];
    for (const [body, type, field] of cases) {
      const res = await post(body, type);
      expect(res.status, field).toBe(400);
      const answer = (await res.json()) as { issues: Array<{ path: string }> };
      expect(answer.issues.map((i) => i.path), JSON.stringify(answer)).toContain(field);
    }
    expect((await post([ok], 'application/cloudevents+json')).status).toBe(400); // an array is a batch, not a structured event
    expect((await post(ok, 'application/cloudevents-batch+json')).status).toBe(400);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await storedCount(p.pool, ws.workspaceId)).toBe(before);
  });
});
