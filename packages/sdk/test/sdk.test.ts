// The SDK with the real OpenAI and Anthropic SDK objects against a fake upstream on loopback,
// reporting to the real API, queue and worker.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '@spendgraph/test-support/fake-llm';
import { type Platform, freePort, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';
import { Spendgraph, withContext, wrapAnthropic, wrapOpenAI } from '../src/index.ts';

let p: Platform;
let upstream: FakeLlm;
let ws: { workspaceId: string; key: string };
beforeAll(async () => {
  [p, upstream] = await Promise.all([startPlatform(), startFakeLlm()]);
  ws = await workspaceWithKey(p.pool);
});
afterAll(async () => {
  await p?.stop();
  await upstream?.close();
});

const rows = () =>
  p.pool.query(`SELECT provider, model, status, input_tokens::int AS input, output_tokens::int AS output, cache_read_tokens::int AS cache_read,
                       cache_write_5m_tokens::int AS w5m, cache_write_1h_tokens::int AS w1h, reasoning_tokens::int AS reasoning,
                       plan_id, task_id, step, user_id, feature, session_id, customer_id, tags
                  FROM usage_events WHERE workspace_id = $1 ORDER BY model, status, step NULLS FIRST`, [ws.workspaceId]).then((r) => r.rows);

describe('SDK wrappers', () => {
  it('report usage of plain and streamed calls with their context, and errors', async () => {
    const sg = new Spendgraph({ baseUrl: p.apiUrl, apiKey: ws.key, flushIntervalMs: 50 });
    const openai = wrapOpenAI(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1`, maxRetries: 0 }), sg, { context: { feature: 'chat', customer_id: 'acme' } });
    const anthropic = wrapAnthropic(new Anthropic({ apiKey: 'sk', baseURL: upstream.url, maxRetries: 0 }), sg, { context: { feature: 'agent' } });

    const plain = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(plain.choices[0]!.message.content).toBe('Hi');
    await withContext({ plan_id: 'plan-7', task_id: 'plan-7/t1', user_id: 'ana' }, async () => {
      await withContext({ step: 'implement', session_id: 's-1', tags: { try: 2 } }, async () => {
        let text = '';
        for await (const chunk of await openai.chat.completions.create({ model: 'gpt-4o', messages: [], stream: true })) text += chunk.choices[0]?.delta?.content ?? '';
        expect(text).toBe('Hi');
        const message = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
        expect(message.content[0]).toMatchObject({ text: 'Hi' });
      });
      const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
      expect((await stream.finalMessage()).usage.output_tokens).toBe(77);
    });
    await expect(openai.chat.completions.create({ model: 'fail-429', messages: [] })).rejects.toMatchObject({ status: 429 });
    await expect(anthropic.messages.create({ model: 'fail-500', max_tokens: 1, messages: [] })).rejects.toMatchObject({ status: 500 });
    await sg.close();

    const stored = await waitFor(async () => {
      const r = await rows();
      return r.length >= 6 && r;
    }, 30_000, 'six calls to be stored');
    const oa = { input: 20, output: 20, cache_read: 100, w5m: 0, w1h: 0, reasoning: 10 };
    const an = { input: 50, output: 77, cache_read: 400, w5m: 20, w1h: 40, reasoning: 0 };
    const none = { plan_id: null, task_id: null, step: null, user_id: null, session_id: null };
    const zero = { input: 0, output: 0, cache_read: 0, w5m: 0, w1h: 0, reasoning: 0 };
    expect(stored).toEqual([
      { provider: 'anthropic', model: 'claude-sonnet-4-5', status: 'ok', ...an, plan_id: 'plan-7', task_id: 'plan-7/t1', step: null, user_id: 'ana', feature: 'agent', session_id: null, customer_id: null, tags: {} },
      { provider: 'anthropic', model: 'claude-sonnet-4-5', status: 'ok', ...an, plan_id: 'plan-7', task_id: 'plan-7/t1', step: 'implement', user_id: 'ana', feature: 'agent', session_id: 's-1', customer_id: null, tags: { try: 2 } },
      { provider: 'openai', model: 'fail-429', status: 'rate_limited', ...zero, ...none, feature: 'chat', customer_id: 'acme', tags: {} },
      { provider: 'anthropic', model: 'fail-500', status: 'error', ...zero, ...none, feature: 'agent', customer_id: null, tags: {} },
      { provider: 'openai', model: 'gpt-4o-2024-08-06', status: 'ok', ...oa, ...none, feature: 'chat', customer_id: 'acme', tags: {} },
      { provider: 'openai', model: 'gpt-4o-2024-08-06', status: 'ok', ...oa, plan_id: 'plan-7', task_id: 'plan-7/t1', step: 'implement', user_id: 'ana', feature: 'chat', session_id: 's-1', customer_id: 'acme', tags: { try: 2 } },
    ]);
  });
});

describe('Spendgraph client', () => {
  it('never throws into the caller when the API is unreachable, and reports the loss', async () => {
    const errors: Array<[string, number]> = [];
    const sg = new Spendgraph({ baseUrl: `http://127.0.0.1:${await freePort()}`, apiKey: 'k', attempts: 2, backoffMs: 1, maxQueue: 3, onError: (e, n) => errors.push([e.message, n]) });
    for (let i = 0; i < 5; i++) sg.record({ occurred_at: new Date().toISOString(), provider: 'openai', model: 'gpt-4o' });
    await sg.close();
    expect(errors[0]).toEqual([expect.stringContaining('queue is full'), 1]);
    expect(errors.at(-1)).toEqual([expect.stringContaining('cannot reach'), 3]);
  });

  it('sends a rejected batch nowhere else and says why', async () => {
    const errors: Error[] = [];
    const sg = new Spendgraph({ baseUrl: p.apiUrl, apiKey: ws.key, onError: (e) => errors.push(e) });
    sg.record({ occurred_at: 'yesterday', provider: 'openai', model: 'gpt-4o' });
    await sg.close();
    expect(errors[0]).toMatchObject({ status: 400, body: { issues: [{ index: 0, path: 'occurred_at' }] } });
  });
});
