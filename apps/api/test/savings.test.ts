// What-if savings and recommendations (issue 17) on the demo workload. The demo's what-if — step
// `review` of workflow `plan-execute` on claude-haiku-4-5 — is re-derived here independently: token
// sums from SQL over usage_events, $/M rates read from the @pydantic/genai-prices catalog itself,
// the arithmetic with decimal.js. Service tiers are checked end to end (ingest → stored tier → cost).
import { Decimal } from 'decimal.js';
import { calcPrice } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoEvents, postAll } from '@spendgraph/demo';
import { spansToEvents } from '../src/otlp/spans.ts';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

const NOW = new Date('2026-11-20T12:00:00Z');
let p: Platform;
let ws: { workspaceId: string; key: string };

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  ws = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  const sent = await postAll(p.apiUrl, ws.key, generateDemoEvents({ events: 4000, days: 14, end: NOW }));
  await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) === sent, 120_000, 'demo events to be stored');
}, 180_000);
afterAll(async () => p?.stop());

const WHAT_IF = `query ($filters: [Filter!], $scenario: WhatIfScenarioInput!, $timeRange: TimeRange) {
  whatIf(filters: $filters, scenario: $scenario, timeRange: $timeRange) {
    period { from to } currency observedCost baselineCost scenarioCost saving savingShare days monthlySaving assumptions
    groups { provider model serviceTier calls errorCalls observedCost baselineCost scenarioCost saving target { provider model serviceTier }
      tokens { input output cache_read cache_write_5m cache_write_1h reasoning } } } }`;
const REVIEW = [
  { member: 'workflow', operator: 'equals', values: ['plan-execute'] },
  { member: 'step', operator: 'equals', values: ['review'] },
];
const whatIf = async (scenario: Record<string, unknown>, filters: unknown = REVIEW, key = ws.key) =>
  (await graphqlData(p.apiUrl, key, WHAT_IF, { filters, scenario, timeRange: { relative: 'last 30 days' } })).whatIf;

/** A catalog rate as an exact decimal ($/M tokens); tiered rates at their base (the demo's prompts stay under the tiers). */
function rate(model: string, provider: string, key: string): Decimal | undefined {
  const v = calcPrice({ input_tokens: 1, output_tokens: 1 }, model, { providerId: provider, timestamp: NOW })!.model_price[key];
  if (v === undefined) return undefined;
  return new Decimal(String(typeof v === 'number' ? v : v.base));
}

/** Cost of token sums at a model's catalog rates, by hand: reasoning at the output rate, per million. */
function costAt(model: string, provider: string, t: Record<string, string>): Decimal {
  const parts: Array<[string, string]> = [
    ['input', 'input_mtok'], ['output', 'output_mtok'], ['reasoning', 'output_mtok'], ['cache_read', 'cache_read_mtok'],
    ['cache_write_5m', 'cache_write_mtok'], ['cache_write_1h', 'cache_write_1h_mtok'],
  ];
  return parts.reduce((sum, [col, key]) => {
    if (t[col] === '0') return sum;
    return sum.plus(new Decimal(t[col]!).times(rate(model, provider, key)!).dividedBy(1_000_000));
  }, new Decimal(0));
}

describe('what-if savings', () => {
  it('the demo\'s what-if (review step of plan-execute on claude-haiku-4-5) re-derives from SQL token sums and the catalog', async () => {
    const { rows } = await p.pool.query(`
      SELECT provider, model, count(*)::int AS calls, max(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS max_prompt,
             sum(input_tokens)::text AS input, sum(output_tokens)::text AS output, sum(reasoning_tokens)::text AS reasoning,
             sum(cache_read_tokens)::text AS cache_read, sum(cache_write_5m_tokens)::text AS cache_write_5m, sum(cache_write_1h_tokens)::text AS cache_write_1h,
             sum(total_cost)::text AS stored
        FROM usage_events WHERE workspace_id = $1 AND kind = 'model_call' AND workflow = 'plan-execute' AND step = 'review'
       GROUP BY provider, model ORDER BY model`, [ws.workspaceId]);
    expect(rows.map((r) => r.model)).toEqual(['claude-opus-4-1-20250805', 'claude-sonnet-4-5-20250929', 'gpt-4o']);
    for (const r of rows) expect(Number(r.max_prompt)).toBeLessThan(200_000); // no long-context tier applies
    const baseline = rows.reduce((s, r) => s.plus(costAt(r.model, r.provider, r)), new Decimal(0));
    const scenario = rows.reduce((s, r) => s.plus(costAt('claude-haiku-4-5', 'anthropic', r)), new Decimal(0));
    const saving = baseline.minus(scenario);
    // last 30 days at 12:00 UTC: from the start of the day 29 days back to now = 29.5 days.
    const monthly = saving.times(30).dividedBy('29.5').toDecimalPlaces(6, Decimal.ROUND_HALF_EVEN);

    const r = await whatIf({ model: 'claude-haiku-4-5' });
    expect(r.baselineCost).toBe(baseline.toFixed());
    expect(r.scenarioCost).toBe(scenario.toFixed());
    expect(r.saving).toBe(saving.toFixed());
    expect(r.days).toBe('29.5');
    expect(r.monthlySaving).toBe(monthly.toFixed());
    expect(saving.gt(0)).toBe(true);
    expect(r.observedCost).toBe(rows.reduce((s, x) => s.plus(x.stored ?? 0), new Decimal(0)).toFixed());
    expect(r.groups.map((g: any) => [g.model, g.target.provider, g.target.model, g.calls])).toEqual(
      expect.arrayContaining(rows.map((x) => [x.model, 'anthropic', 'claude-haiku-4-5', x.calls])));
    expect(r.assumptions.join('\n')).toMatch(/claude-haiku-4-5/);
    expect(r.assumptions.join('\n')).toMatch(/× 30 \/ the 29\.5 days/);
  });

  it('a cache policy or a smaller context reprices the same models with fewer uncached prompt tokens', async () => {
    const cache = await whatIf({ cacheHitRatio: '0.9' });
    const gpt = cache.groups.find((g: any) => g.model === 'gpt-4o');
    // Tokens are as observed (the scenario's tokens are priced, not shown); gpt-4o caches far below 90%, so the saving is positive.
    expect(new Decimal(gpt.saving).gt(0)).toBe(true);
    expect(gpt.target).toEqual({ provider: 'openai', model: 'gpt-4o', serviceTier: null });
    const smaller = await whatIf({ contextReduction: '0.25' });
    for (const g of smaller.groups) expect(new Decimal(g.saving).gt(0)).toBe(true);
    const same = await whatIf({ contextReduction: '0' });
    expect(same.saving).toBe('0');
    expect(same.baselineCost).toBe(smaller.baselineCost);
  });

  it('refuses a bad scenario with 400-style errors naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, 'scenario'],
      [{ cacheHitRatio: '1.5' }, 'scenario.cacheHitRatio'],
      [{ contextReduction: '-0.1' }, 'scenario.contextReduction'],
      [{ serviceTier: 'turbo' }, 'scenario.serviceTier'],
      [{ provider: 'openai' }, 'scenario.provider'],
      [{ model: 'no-such-model-9000', provider: 'acme' }, 'scenario.model'],
    ];
    for (const [scenario, field] of cases) {
      const { body } = await graphqlRequest(p.apiUrl, ws.key, WHAT_IF, { filters: REVIEW, scenario });
      expect(body.data, JSON.stringify(scenario)).toBeNull();
      expect(body.errors?.[0]?.extensions, JSON.stringify(scenario)).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    }
  });
});

describe('savings recommendations', () => {
  const RECS = `{ savingsRecommendations(timeRange: { relative: "last 30 days" }, limit: 20) {
    kind title monthlySaving saving filters { member operator values } scenario { model provider serviceTier cacheHitRatio contextReduction }
    evidence { label value } assumptions } }`;

  it('ranks opportunities by monthly saving, with evidence, and each one is the what-if of its slice', async () => {
    const recs = (await graphqlData(p.apiUrl, ws.key, RECS)).savingsRecommendations;
    expect(recs.length).toBeGreaterThan(2);
    expect(new Set(recs.map((r: any) => r.kind))).toContain('cheaper_model');
    expect(new Set(recs.map((r: any) => r.kind))).toContain('cache');
    const monthly = recs.map((r: any) => new Decimal(r.monthlySaving));
    for (let i = 1; i < monthly.length; i++) expect(monthly[i - 1].gte(monthly[i])).toBe(true);
    for (const r of recs) {
      expect(r.evidence.length).toBeGreaterThan(1);
      const scenario = Object.fromEntries(Object.entries(r.scenario).filter(([, v]) => v !== null));
      const w = await whatIf(scenario, r.filters.map((f: any) => (f.operator === 'notSet' ? { member: f.member, operator: 'notSet' } : f)));
      expect(w.saving, r.title).toBe(r.saving);
      expect(w.monthlySaving, r.title).toBe(r.monthlySaving);
    }
    // A cheaper model is recommended only where its own calls on that step fail no more often (within 2 points).
    for (const r of recs.filter((x: any) => x.kind === 'cheaper_model')) {
      const rates = r.evidence.filter((e: any) => e.label.startsWith('error rate')).map((e: any) => parseFloat(e.value));
      expect(rates[1]).toBeLessThanOrEqual(rates[0] + 2);
    }
  });
});

describe('growing context', () => {
  it('recommends bringing a prompt that doubled back to its earlier size, with the saving worked out by hand', async () => {
    const grow = await workspaceWithKey(p.pool, ['ingest', 'read']);
    const call = (day: string, i: number, input: number) => ({
      occurred_at: `2026-11-${day}T10:00:${String(i).padStart(2, '0')}Z`, provider: 'anthropic', model: 'claude-haiku-4-5', workflow: 'wf', step: 'grow',
      usage: { input_tokens: input, output_tokens: 100 },
    });
    await ingestAndWait(p, grow, [...Array.from({ length: 25 }, (_, i) => call('02', i, 10_000)), ...Array.from({ length: 25 }, (_, i) => call('10', i, 20_000))]);
    const { savingsRecommendations: recs } = await graphqlData(p.apiUrl, grow.key, `{ savingsRecommendations(timeRange: { from: "2026-11-01", to: "2026-11-14" }) {
      kind saving monthlySaving scenario { contextReduction cacheHitRatio } evidence { label value } } }`);
    const context = recs.find((r: any) => r.kind === 'context');
    // Prompts per call 10,000 then 20,000: a 50% smaller context saves half of 750,000 input tokens at haiku's $1/M.
    expect(context).toMatchObject({ scenario: { contextReduction: '0.5' }, saving: '0.375', monthlySaving: '0.803571' }); // × 30 / 14 days
    expect(context.evidence.map((e: any) => e.value)).toEqual(['10000', '20000', '100.0%']);
    // Nothing is read from the cache: at 50%, half of 750,000 input tokens at $0.10/M instead of $1/M.
    expect(recs.find((r: any) => r.kind === 'cache')).toMatchObject({ scenario: { cacheHitRatio: '0.50' }, saving: '0.3375' });
  });
});

describe('service tiers', () => {
  it('stores the tier an event states and prices it as billed: batch at half, priority at its own rates', async () => {
    const tiers = await workspaceWithKey(p.pool, ['ingest', 'read']);
    const call = (id: string, service_tier?: string) => ({
      id, occurred_at: '2026-11-19T10:00:00Z', provider: 'openai', model: 'gpt-5', ...(service_tier ? { service_tier } : {}),
      usage: { input_tokens: 1_000_000, output_tokens: 1_000_000 }, // openai convention: output includes no reasoning here
    });
    await ingestAndWait(p, tiers, [
      call('00000000-0000-4000-8000-000000000001'),
      call('00000000-0000-4000-8000-000000000002', 'default'),
      call('00000000-0000-4000-8000-000000000003', 'batch'),
      call('00000000-0000-4000-8000-000000000004', 'priority'),
    ]);
    const { rows } = await p.pool.query('SELECT event_id::text, service_tier, total_cost::text FROM usage_events WHERE workspace_id = $1 ORDER BY event_id', [tiers.workspaceId]);
    // gpt-5 per M: standard $1.25 in / $10 out; batch half; priority $2.50 / $20.
    expect(rows.map((r) => [r.service_tier, r.total_cost])).toEqual([[null, '11.25'], ['standard', '11.25'], ['batch', '5.625'], ['priority', '22.5']]);
    const data = await graphqlData(p.apiUrl, tiers.key, `{ breakdown(measures: ["total_cost"], by: ["service_tier"]) { children { label measures { value } } } }`);
    expect(data.breakdown.children.map((c: any) => [c.label, c.measures[0].value]).sort()).toEqual([['(none)', '11.25'], ['batch', '5.625'], ['priority', '22.5'], ['standard', '11.25']].sort());
    const listed = await graphqlData(p.apiUrl, tiers.key, `{ events(first: 10) { edges { node { id serviceTier totalCost } } } }`);
    expect(listed.events.edges.map((e: any) => [e.node.id, e.node.serviceTier]).sort()).toEqual([
      ['00000000-0000-4000-8000-000000000001', null], ['00000000-0000-4000-8000-000000000002', 'standard'],
      ['00000000-0000-4000-8000-000000000003', 'batch'], ['00000000-0000-4000-8000-000000000004', 'priority']]);
  });

  it('reads the tier from an OTLP span (openai.response.service_tier), and leaves out one it does not know', () => {
    const span = (tier: string) => ({ traceId: 'ab', spanId: tier, startTimeUnixNano: '1795000000000000000', attributes: [
      { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } }, { key: 'gen_ai.request.model', value: { stringValue: 'gpt-5' } },
      { key: 'gen_ai.usage.input_tokens', value: { intValue: 10 } }, { key: 'openai.response.service_tier', value: { stringValue: tier } }] });
    const events = spansToEvents({ resourceSpans: [{ scopeSpans: [{ spans: [span('flex'), span('default'), span('mystery')] }] }] } as any);
    expect(events.map((e) => e.service_tier)).toEqual(['flex', 'standard', undefined]);
  });
});
