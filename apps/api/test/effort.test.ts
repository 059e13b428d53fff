// Effort as a dimension (issue 24): each capture path stores the reasoning effort its source states
// (REST, proxy body and header, SDK wrapper, OTLP span), through the real API, queue, worker and
// hypertable; GraphQL groups by it as SQL over the raw events does, and a budget can cap it.
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import { Decimal } from 'decimal.js';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '@spendgraph/test-support/fake-llm';
import { type Platform, graphqlData, ingestAndWait, postEvents, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';
import { Spendgraph, wrapAnthropic, wrapOpenAI } from '../../../packages/sdk/src/index.ts';

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

const proxied = (key: string, provider: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${p.apiUrl}/proxy/${provider}/${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-spendgraph-key': key, ...headers }, body: JSON.stringify(body),
  });

/** (feature, effort) of a workspace's stored events of one source, by feature. */
const efforts = (workspaceId: string, source: string, n: number) =>
  waitFor(async () => {
    const { rows } = await p.pool.query('SELECT feature, effort FROM usage_events WHERE workspace_id = $1 AND source = $2 ORDER BY feature', [workspaceId, source]);
    return rows.length >= n && rows.map((r) => [r.feature, r.effort]);
  }, 30_000, `${n} ${source} events`);

describe('effort capture', () => {
  it('REST: stores the effort an event states in our names, and refuses an unknown one naming the field', async () => {
    const rest = await workspaceWithKey(p.pool, ['ingest']);
    const call = (feature: string, effort?: string) => ({ occurred_at: '2026-11-20T10:00:00Z', provider: 'openai', model: 'gpt-5', feature, ...(effort ? { effort } : {}) });
    await ingestAndWait(p, rest, [call('a', 'HIGH'), call('b', 'minimal'), call('c', 'max'), call('d')]);
    expect(await efforts(rest.workspaceId, 'api', 4)).toEqual([['a', 'high'], ['b', 'minimal'], ['c', 'xhigh'], ['d', null]]);
    const bad = await postEvents(p.apiUrl, rest.key, [call('e', 'turbo')]);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).issues).toEqual([expect.objectContaining({ index: 0, path: 'effort' })]);
  });

  it('proxy: from OpenAI\'s reasoning_effort, Anthropic\'s thinking budget, else x-spendgraph-effort; a bad header is a 400', async () => {
    const px = await workspaceWithKey(p.pool, ['ingest']);
    const f = (feature: string) => ({ 'x-spendgraph-feature': feature });
    const chat = { model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] };
    const msg = { model: 'claude-sonnet-4-5', max_tokens: 20_000, messages: [{ role: 'user', content: 'hi' }] };
    const answers = await Promise.all([
      proxied(px.key, 'openai', 'v1/chat/completions', { ...chat, reasoning_effort: 'low' }, f('a')),
      // The body wins over the header: it is what the provider was asked.
      proxied(px.key, 'openai', 'v1/chat/completions', { ...chat, reasoning: { effort: 'minimal' } }, { ...f('b'), 'x-spendgraph-effort': 'high' }),
      proxied(px.key, 'anthropic', 'v1/messages', { ...msg, thinking: { type: 'enabled', budget_tokens: 10_000 } }, f('c')),
      proxied(px.key, 'anthropic', 'v1/messages', { ...msg, thinking: { type: 'enabled', budget_tokens: 4_000 } }, f('d')),
      proxied(px.key, 'anthropic', 'v1/messages', { ...msg, thinking: { type: 'disabled' } }, f('e')),
      proxied(px.key, 'anthropic', 'v1/messages', msg, { ...f('f'), 'x-spendgraph-effort': 'Medium' }),
      proxied(px.key, 'openai', 'v1/chat/completions', chat, f('g')),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(await efforts(px.workspaceId, 'proxy', 7)).toEqual([
      ['a', 'low'], ['b', 'minimal'], ['c', 'high'], ['d', 'medium'], ['e', 'none'], ['f', 'medium'], ['g', null]]);
    const before = upstream.received.length;
    const bad = await proxied(px.key, 'openai', 'v1/chat/completions', chat, { 'x-spendgraph-effort': 'turbo' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request', field: 'effort' });
    expect(upstream.received.length).toBe(before);
  });

  it('SDK wrappers: from the request, else the context\'s effort', async () => {
    const sdk = await workspaceWithKey(p.pool, ['ingest']);
    const sg = new Spendgraph({ baseUrl: p.apiUrl, apiKey: sdk.key, flushIntervalMs: 20 });
    const openai = wrapOpenAI(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }), sg, { context: { feature: 'a' } });
    await openai.chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }], reasoning_effort: 'high' });
    const labelled = wrapOpenAI(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }), sg, { context: { feature: 'b', effort: 'low' } });
    await labelled.chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] });
    const anthropic = wrapAnthropic(new Anthropic({ apiKey: 'sk', baseURL: upstream.url }), sg, { context: { feature: 'c' } });
    await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 2_000, thinking: { type: 'enabled', budget_tokens: 1_024 }, messages: [{ role: 'user', content: 'hi' }] });
    await sg.close();
    expect(await efforts(sdk.workspaceId, 'sdk', 3)).toEqual([['a', 'high'], ['b', 'low'], ['c', 'low']]);
  });

  it('OTLP: from gen_ai.request.reasoning_effort, spendgraph.effort or OpenInference\'s invocation parameters', async () => {
    const ot = await workspaceWithKey(p.pool, ['ingest']);
    const attr = (key: string, v: string | number) => ({ key, value: typeof v === 'number' ? { intValue: v } : { stringValue: v } });
    const span = (spanId: string, feature: string, extra: Array<ReturnType<typeof attr>>) => ({
      traceId: '5b8efff798038103d269b633813fc60c', spanId, name: 'chat', startTimeUnixNano: '1795000000000000000', endTimeUnixNano: '1795000000250000000',
      attributes: [attr('gen_ai.provider.name', 'openai'), attr('gen_ai.request.model', 'gpt-5'), attr('gen_ai.usage.input_tokens', 10),
        attr('gen_ai.usage.output_tokens', 5), attr('spendgraph.feature', feature), ...extra],
    });
    const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [
      span('0000000000000001', 'a', [attr('gen_ai.request.reasoning_effort', 'high')]),
      span('0000000000000002', 'b', [attr('spendgraph.effort', 'minimal')]),
      span('0000000000000003', 'c', [attr('llm.invocation_parameters', JSON.stringify({ reasoning_effort: 'medium' }))]),
      span('0000000000000004', 'd', [attr('gen_ai.request.reasoning_effort', 'mystery')]),
    ] }] }] };
    const res = await fetch(`${p.apiUrl}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${ot.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    expect(await efforts(ot.workspaceId, 'otlp', 4)).toEqual([['a', 'high'], ['b', 'minimal'], ['c', 'medium'], ['d', null]]);
  });

  it('gateways: LiteLLM\'s model_parameters, Helicone\'s request body, a CloudEvent\'s data.effort', async () => {
    const gw = await workspaceWithKey(p.pool, ['ingest']);
    const fixture = (path: string) => JSON.parse(readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8'));
    const post = (path: string, body: unknown, type = 'application/json') =>
      fetch(`${p.apiUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${gw.key}`, 'content-type': type }, body: JSON.stringify(body) });
    expect((await post('/v1/callbacks/litellm', fixture('litellm/generic-api.json'))).status).toBe(202);
    expect((await post(`/v1/callbacks/helicone/${gw.key}`, fixture('helicone/webhooks.json').openai_reasoning)).status).toBe(202);
    const ce = (id: string, effort: string) => ({ specversion: '1.0', type: 'llm.call', id, time: '2026-10-02T10:00:00Z', source: 'batch-app',
      data: { provider: 'openai', model: 'o3', input_tokens: 100, output_tokens: 50, effort } });
    expect((await post('/v1/events', ce('e-1', 'low'), 'application/cloudevents+json')).status).toBe(202);
    const bad = await post('/v1/events', ce('e-2', 'turbo'), 'application/cloudevents+json');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('data.effort');
    const rows = await waitFor(async () => {
      const r = await p.pool.query('SELECT source, model, effort FROM usage_events WHERE workspace_id = $1 ORDER BY source, model', [gw.workspaceId]);
      return r.rows.length >= 4 && r.rows.map((x) => [x.source, x.model, x.effort]);
    }, 30_000, 'the gateways\' calls');
    // LiteLLM's failed Anthropic call asked for a 4,096-token thinking budget (medium); its OpenAI call for none.
    expect(rows).toEqual([['cloudevents', 'o3', 'low'], ['helicone', 'o4-mini-2025-04-16', 'high'], ['litellm', 'claude-sonnet-4-5', 'medium'], ['litellm', 'gpt-4o-mini', null]]);
  });
});

describe('effort in the model', () => {
  it('GraphQL groups cost, tokens, calls and errors by effort within task type as SQL over the raw events does', async () => {
    const model = await workspaceWithKey(p.pool, ['ingest', 'read']);
    const levels = ['low', 'medium', 'high', undefined] as const;
    const types = ['bugfix', 'feature'];
    // 48 events: every (task type, effort) pair, some failed, token mixes growing with effort.
    const events = Array.from({ length: 48 }, (_, i) => {
      const effort = levels[i % 4];
      return {
        occurred_at: `2026-11-${String(10 + (i % 5)).padStart(2, '0')}T10:${String(i).padStart(2, '0')}:00Z`, provider: 'openai', model: 'gpt-5',
        task_type: types[Math.floor(i / 4) % 2], status: i % 7 === 0 ? 'error' : 'ok', ...(effort ? { effort } : {}),
        usage: { input_tokens: 1000 + 37 * i, output_tokens: 200 * (1 + (i % 4)) + i, reasoning_tokens: 100 * (i % 4) },
      };
    });
    await ingestAndWait(p, model, events);
    const { rows } = await p.pool.query(
      `SELECT task_type, effort, sum(total_cost)::text AS cost, sum(input_tokens + output_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + reasoning_tokens)::text AS tokens,
              count(*)::text AS calls, (count(*) FILTER (WHERE status <> 'ok'))::text AS errors
         FROM usage_events WHERE workspace_id = $1 GROUP BY 1, 2`, [model.workspaceId]);
    // Money compared as exact decimals, counts as numbers.
    const figures = (cost: string, ...counts: string[]) => [new Decimal(cost).toFixed(), ...counts.map(Number)];
    const sql = Object.fromEntries(rows.map((r) => [`${r.task_type}/${r.effort}`, figures(r.cost, r.tokens, r.calls, r.errors)]));
    expect(Object.values(sql).every(([cost]) => new Decimal(cost!).gt(0))).toBe(true);
    const data = await graphqlData(p.apiUrl, model.key, `{ breakdown(measures: ["total_cost", "total_tokens", "calls", "error_calls", "error_rate"], by: ["task_type", "effort"],
      timeRange: { from: "2026-11-01", to: "2026-11-30T23:59:59.999" }) { children { value children { value measures { measure value } } } } }`);
    const api: Record<string, Array<string | number>> = {};
    for (const t of data.breakdown.children) {
      for (const e of t.children) {
        const m = Object.fromEntries(e.measures.map((x: any) => [x.measure, x.value]));
        api[`${t.value}/${e.value}`] = figures(m.total_cost, m.total_tokens, m.calls, m.error_calls);
        expect(Number(m.error_rate)).toBeCloseTo((100 * Number(m.error_calls)) / Number(m.calls), 6);
      }
    }
    expect(Object.keys(api).length).toBe(8);
    expect(api).toEqual(sql);
    // The explorer offers the dimensions `meta` lists.
    const meta = await graphqlData(p.apiUrl, model.key, '{ meta { dimensions { name title } } }');
    expect(meta.meta.dimensions.filter((d: { name: string }) => /(^|\.)effort$/.test(d.name))).toEqual([{ name: expect.any(String), title: expect.stringContaining('Effort') }]);

    // The FOCUS export tags each row with its effort: its costs by task type and effort are the same sums.
    const focus = await fetch(`${p.apiUrl}/v1/exports/focus?format=ndjson&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z`, { headers: { authorization: `Bearer ${model.key}` } });
    expect(focus.status).toBe(200);
    const exported = new Map<string, Decimal>();
    for (const line of (await focus.text()).split('\n').filter(Boolean)) {
      const row = JSON.parse(line);
      const tags = JSON.parse(String(row.Tags));
      const k = `${tags.x_spendgraph_task_type ?? null}/${tags.x_spendgraph_effort ?? null}`;
      exported.set(k, (exported.get(k) ?? new Decimal(0)).plus(row.BilledCost));
    }
    expect(Object.fromEntries([...exported].map(([k, v]) => [k, v.toFixed()]))).toEqual(Object.fromEntries(Object.entries(sql).map(([k, v]) => [k, v[0]])));
  });

  it('a hard budget scoped on effort blocks high-effort proxied calls and lets the others through', async () => {
    const capped = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
    // The first instant of today (UTC): in the daily budget's period at any hour the suite runs.
    await ingestAndWait(p, capped, [{ occurred_at: new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000).toISOString(), provider: 'openai', model: 'gpt-5', effort: 'high', cost: '3' }]);
    await graphqlData(p.apiUrl, capped.key, 'mutation ($input: BudgetInput!) { createBudget(input: $input) { id } }', {
      input: { name: 'high effort daily', period: 'daily', amount: '1', mode: 'hard', scope: [{ member: 'effort', values: ['high'] }] },
    });
    const chat = { model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] };
    const blocked = await proxied(capped.key, 'openai', 'v1/chat/completions', { ...chat, reasoning_effort: 'high' });
    expect(blocked.status).toBe(429);
    expect(await blocked.json()).toMatchObject({ error: 'budget_exceeded', budgets: [{ name: 'high effort daily', blocking: true }] });
    expect((await proxied(capped.key, 'openai', 'v1/chat/completions', chat, { 'x-spendgraph-effort': 'high' })).status).toBe(429);
    expect((await proxied(capped.key, 'openai', 'v1/chat/completions', { ...chat, reasoning_effort: 'low' })).status).toBe(200);
  });
});

describe('the what-if at a lower effort', () => {
  const WHAT_IF = `query ($scenario: WhatIfScenarioInput!) { whatIf(timeRange: { relative: "last 7 days" }, scenario: $scenario) {
    baselineCost scenarioCost saving scenario { effort } assumptions groups { taskType effort calls baselineCost scenarioCost saving } } }`;

  it('prices high-effort bugfixes with the token mix per call of low-effort bugfixes; a task type never seen at low stays as observed', async () => {
    const ws = await workspaceWithKey(p.pool, ['ingest', 'read']);
    // Yesterday (inside the last 7 days at any hour): 2 bugfixes at low (even token sums: whole tokens per call), 3 at high, 2 features at high only.
    // Output includes reasoning (OpenAI's convention).
    const at = (i: number) => new Date(Date.now() - 86_400_000 - i * 60_000).toISOString();
    const call = (i: number, task_type: string, effort: string, input: number, output: number, reasoning: number) => ({
      occurred_at: at(i), provider: 'openai', model: 'gpt-5', task_type, effort, usage: { input_tokens: input, output_tokens: output, reasoning_tokens: reasoning },
    });
    await ingestAndWait(p, ws, [
      call(0, 'bugfix', 'low', 1_000, 300, 100), call(1, 'bugfix', 'low', 1_400, 500, 300),
      call(2, 'bugfix', 'high', 5_000, 6_000, 4_000), call(3, 'bugfix', 'high', 6_000, 8_500, 6_000), call(4, 'bugfix', 'high', 7_000, 11_000, 8_000),
      call(5, 'feature', 'high', 9_000, 13_000, 9_000), call(6, 'feature', 'high', 9_500, 14_000, 9_500),
    ]);
    const w = (await graphqlData(p.apiUrl, ws.key, WHAT_IF, { scenario: { effort: 'low' } })).whatIf;
    expect(w.scenario.effort).toBe('low');
    const group = (taskType: string, effort: string) => w.groups.find((g: any) => g.taskType === taskType && g.effort === effort);
    const [low, high, feature] = [group('bugfix', 'low'), group('bugfix', 'high'), group('feature', 'high')];
    expect([low.calls, high.calls, feature.calls]).toEqual([2, 3, 2]);
    // Three calls at the low mix per call: 1.5 times what the two low calls cost (prices are linear at one prompt size per call).
    expect(new Decimal(high.scenarioCost).equals(new Decimal(low.baselineCost).times(3).dividedBy(2))).toBe(true);
    expect(new Decimal(high.saving).equals(new Decimal(high.baselineCost).minus(high.scenarioCost))).toBe(true);
    expect(Number(high.saving)).toBeGreaterThan(0);
    for (const g of [low, feature]) expect(g.saving).toBe('0');
    expect(new Decimal(w.saving).equals(new Decimal(high.saving))).toBe(true);
    expect(w.assumptions[0]).toMatch(/^Every call above low effort made at low: .* \(2 calls observed at low; 3 calls moved\)\.$/);
    expect(w.assumptions).toContain('2 calls above low have no call of their task type and model observed at low: they are priced as observed (no saving counted).');
  });

  it('refuses an unknown effort, naming the field', async () => {
    const ws = await workspaceWithKey(p.pool, ['ingest', 'read']);
    const res = await fetch(`${p.apiUrl}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.key}` },
      body: JSON.stringify({ query: WHAT_IF, variables: { scenario: { effort: 'turbo' } } }),
    });
    expect(((await res.json()) as any).errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'scenario.effort' });
  });
});
