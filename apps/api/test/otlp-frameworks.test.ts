// The telemetry frameworks already emit, through POST /v1/traces: one fixture per project
// (fixtures/otlp/README.md says where each attribute name comes from), sent as OTLP/JSON through
// the real API, queue and worker, and the stored rows checked: one per model call (wrapper spans
// not counted twice), tokens in our partitions, context from each project's metadata, and a
// gateway's reported cost kept as the supplied cost with its source.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let ws: { workspaceId: string; key: string };
beforeAll(async () => {
  p = await startPlatform();
  ws = await workspaceWithKey(p.pool);
});
afterAll(async () => p?.stop());

const fixture = (name: string) => readFileSync(new URL(`./fixtures/otlp/${name}.json`, import.meta.url), 'utf8');

async function send(name: string, expected: number) {
  const body = fixture(name);
  const traceId = JSON.parse(body).resourceSpans[0].scopeSpans[0].spans[0].traceId as string;
  const res = await fetch(`${p.apiUrl}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': 'application/json' }, body });
  expect(res.status, await res.clone().text()).toBe(200);
  const read = () => p.pool.query(
    `SELECT provider, model, input_tokens::int, output_tokens::int, cache_read_tokens::int, cache_write_5m_tokens::int, reasoning_tokens::int,
            total_cost::text, price_source, user_id, plan_id, session_id, agent, workflow, feature, tags - 'trace_id' - 'service' AS tags
       FROM usage_events WHERE workspace_id = $1 AND tags->>'trace_id' = $2 ORDER BY occurred_at, input_tokens`, [ws.workspaceId, traceId]).then((r) => r.rows);
  await waitFor(async () => (await read()).length >= expected, 30_000, `${name}'s events`);
  await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
  return read();
}

describe('framework telemetry on POST /v1/traces', () => {
  it('Vercel AI SDK: the doGenerate/doStream steps, not their wrapper; metadata as context; OpenRouter’s cost kept', async () => {
    expect(await send('vercel-ai-sdk', 2)).toMatchObject([
      { provider: 'openai', model: 'gpt-4o-mini-2024-07-18', input_tokens: 1000, cache_read_tokens: 200, output_tokens: 300, user_id: 'ana', plan_id: 'plan-9', feature: 'summarize', tags: { team: 'search' } },
      { provider: 'openrouter', model: 'anthropic/claude-sonnet-4.5', input_tokens: 900, output_tokens: 120, total_cost: '0.0045', price_source: 'supplied', tags: { cost_source: 'openrouter' } },
    ]);
  });

  it('OpenInference (LangChain/LangGraph): the LLM span, cached tokens out of the prompt count, JSON metadata', async () => {
    expect(await send('openinference-langchain', 1)).toEqual([expect.objectContaining({
      provider: 'openai', model: 'gpt-4o-2024-08-06', input_tokens: 400, cache_read_tokens: 100, output_tokens: 50, user_id: 'bo', session_id: 'lc-session-1',
      tags: { ls_provider: 'openai', ls_model_name: 'gpt-4o' },
    })]);
  });

  it('OpenInference (LlamaIndex): an embedding and an Anthropic call with cache reads and writes', async () => {
    expect(await send('openinference-llamaindex', 2)).toMatchObject([
      { provider: 'openai', model: 'text-embedding-3-small', input_tokens: 12, output_tokens: 0 },
      { provider: 'anthropic', model: 'claude-3-5-haiku-20241022', input_tokens: 300, cache_read_tokens: 600, cache_write_5m_tokens: 100, output_tokens: 80 },
    ]);
  });

  it('OpenAI Agents SDK (OpenInference): the model call under the agent, reasoning apart from output', async () => {
    expect(await send('openai-agents', 1)).toMatchObject([
      { provider: 'openai', model: 'o4-mini-2025-04-16', input_tokens: 3000, output_tokens: 188, reasoning_tokens: 512, agent: 'Triage agent' },
    ]);
  });

  it('OpenLLMetry: gen_ai.system "OpenAI", prompt/completion token names, association properties', async () => {
    expect(await send('openllmetry', 1)).toMatchObject([
      { provider: 'openai', model: 'gpt-4o-2024-08-06', input_tokens: 40, output_tokens: 12, user_id: 'cy', workflow: 'joke_generator', tags: { tenant: 'globex' } },
    ]);
  });

  it('LiteLLM: its response_cost (gen_ai.cost.total_cost) kept as the supplied cost', async () => {
    expect(await send('litellm', 1)).toMatchObject([
      { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', input_tokens: 2000, output_tokens: 150, total_cost: '0.00825', price_source: 'supplied', tags: { cost_source: 'litellm' } },
    ]);
  });
});
