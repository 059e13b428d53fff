// Keys restricted to dimension values, and keys reaching their expiry, through the real API,
// worker, queue and database: what a restricted key writes carries its values, what it reads is
// filtered to them, and everything that cannot filter refuses it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWorkspace, issueApiKey } from '@spendgraph/db';
import { type Platform, graphqlData, graphqlRequest, postEvents, startPlatform, storedCount, waitFor } from '@spendgraph/test-support/platform';

const NOW = new Date('2026-11-20T12:00:00Z');
let p: Platform;
let workspaceId: string;
let admin: string;
const keys: Record<'botIngest' | 'botRead' | 'freeIngest', string> = { botIngest: '', botRead: '', freeIngest: '' };

const call = (agent: string | undefined, cost: string) => ({
  id: randomUUID(), occurred_at: '2026-11-20T10:00:00Z', kind: 'tool', cost, ...(agent ? { agent } : {}), customer_id: 'acme',
});
const read = (key: string, query: string, variables: Record<string, unknown> = {}) => graphqlRequest(p.apiUrl, key, query, variables);
const BY_AGENT = '{ breakdown(measures: ["total_cost", "calls"], by: ["agent"], timeRange: { relative: "last 7 days" }) { measures { value } children { label measures { value } } } }';

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  workspaceId = (await ensureWorkspace(p.pool, `t-restrict-${randomUUID().slice(0, 8)}`)).id;
  const issue = async (scopes: Array<'ingest' | 'read' | 'admin'>, restriction: Record<string, string> | null) =>
    (await issueApiKey(p.pool, workspaceId, { name: 'test', scopes, restriction })).key;
  admin = await issue(['admin'], null);
  keys.botIngest = await issue(['ingest'], { agent: 'build-bot' });
  keys.botRead = await issue(['read'], { agent: 'build-bot' });
  keys.freeIngest = await issue(['ingest'], null);
  // The restricted key's events: one naming its agent, one naming none (stamped).
  expect((await postEvents(p.apiUrl, keys.botIngest, [call('build-bot', '1.25'), call(undefined, '0.50')])).status).toBe(202);
  expect((await postEvents(p.apiUrl, keys.freeIngest, [call('reviewer', '7.00'), call(undefined, '3.00')])).status).toBe(202);
  await waitFor(async () => (await storedCount(p.pool, workspaceId)) === 4, 30_000, 'the events to be stored');
}, 120_000);
afterAll(async () => p?.stop());

describe('writing', () => {
  it('stamps the key\'s value on events that name none, and refuses a batch naming another, field named', async () => {
    const { rows } = await p.pool.query(`SELECT agent, total_cost::float8 AS cost FROM usage_events WHERE workspace_id = $1 AND kind = 'tool' ORDER BY cost`, [workspaceId]);
    expect(rows).toEqual([{ agent: 'build-bot', cost: 0.5 }, { agent: 'build-bot', cost: 1.25 }, { agent: null, cost: 3 }, { agent: 'reviewer', cost: 7 }]);
    const refused = await postEvents(p.apiUrl, keys.botIngest, [call('build-bot', '1'), call('reviewer', '1')]);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'forbidden', field: 'agent', issues: [{ index: 1, path: 'agent', code: 'restricted' }] });
    expect(await storedCount(p.pool, workspaceId)).toBe(4);
  });

  it('the proxy refuses a header naming another value before calling the upstream', async () => {
    const res = await fetch(`${p.apiUrl}/proxy/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-spendgraph-key': keys.botIngest, 'x-spendgraph-agent': 'reviewer', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ field: 'agent' });
  });

  it('OTLP spans get the key\'s value too, and another value is refused', async () => {
    const span = (agent?: string) => ({
      resourceSpans: [{ scopeSpans: [{ spans: [{
        traceId: randomUUID().replaceAll('-', ''), spanId: randomUUID().replaceAll('-', '').slice(0, 16), name: 'chat', startTimeUnixNano: String(BigInt(Date.parse('2026-11-20T10:00:00Z')) * 1_000_000n), endTimeUnixNano: String(BigInt(Date.parse('2026-11-20T10:00:01Z')) * 1_000_000n),
        attributes: [
          { key: 'gen_ai.system', value: { stringValue: 'openai' } }, { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
          { key: 'gen_ai.usage.input_tokens', value: { intValue: 10 } }, { key: 'gen_ai.usage.output_tokens', value: { intValue: 1 } },
          ...(agent ? [{ key: 'spendgraph.agent', value: { stringValue: agent } }] : []),
        ],
      }] }] }],
    });
    const send = (body: unknown) => fetch(`${p.apiUrl}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${keys.botIngest}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const refused = await send(span('reviewer'));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ field: 'agent' });
    expect((await send(span())).status).toBe(200);
    await waitFor(async () => (await storedCount(p.pool, workspaceId)) === 5, 30_000, 'the span to be stored');
    const { rows } = await p.pool.query(`SELECT agent FROM usage_events WHERE workspace_id = $1 AND source = 'otlp'`, [workspaceId]);
    expect(rows).toEqual([{ agent: 'build-bot' }]);
  });
});

describe('reading', () => {
  const botSpend = async () => {
    const { rows } = await p.pool.query(`SELECT sum(total_cost)::text AS cost, count(*)::int AS calls FROM usage_events WHERE workspace_id = $1 AND agent = 'build-bot' AND kind = 'tool'`, [workspaceId]);
    return rows[0] as { cost: string; calls: number };
  };

  it('breakdowns, timeseries and events of a restricted key hold only its values, whatever it filters on', async () => {
    const all = (await graphqlData(p.apiUrl, admin, BY_AGENT)).breakdown;
    expect(all.children.map((c: { label: string }) => c.label)).toEqual(expect.arrayContaining(['build-bot', 'reviewer']));
    const mine = await read(keys.botRead, BY_AGENT.replace('by: ["agent"]', 'by: ["agent"], filters: [{ member: "kind", operator: equals, values: ["tool"] }]'));
    expect(mine.body.errors).toBeUndefined();
    const bot = await botSpend();
    expect(mine.body.data.breakdown.children.map((c: { label: string }) => c.label)).toEqual(['build-bot']);
    expect(Number(mine.body.data.breakdown.measures[0].value)).toBe(Number(bot.cost));
    // Asking for another agent's figures finds nothing.
    const other = await read(keys.botRead, '{ breakdown(measures: ["calls"], by: ["agent"], filters: [{ member: "agent", operator: equals, values: ["reviewer"] }], timeRange: { relative: "last 7 days" }) { measures { value } children { label } } }');
    expect(other.body.errors).toBeUndefined();
    expect(other.body.data.breakdown.children).toEqual([]);
    expect([null, '0']).toContain(other.body.data.breakdown.measures[0].value);
    const series = await read(keys.botRead, '{ timeseries(measures: ["calls"], granularity: day, by: ["agent"], timeRange: { relative: "last 7 days" }) { series { label } } }');
    expect(series.body.data.timeseries.series.map((s: { label: string }) => s.label)).toEqual(['build-bot']);
    const events = await read(keys.botRead, '{ events(first: 50) { edges { node { agent } } } }');
    expect(events.body.errors).toBeUndefined();
    expect(new Set(events.body.data.events.edges.map((e: { node: { agent: string } }) => e.node.agent))).toEqual(new Set(['build-bot']));
  });

  it('exports, export links, Cube\'s GraphQL and the key\'s web sessions are filtered too', async () => {
    const csv = await (await fetch(`${p.apiUrl}/v1/exports/events?format=json&columns=agent`, { headers: { authorization: `Bearer ${keys.botRead}` } })).json() as Array<{ agent: string }>;
    expect(csv.length).toBeGreaterThan(0);
    expect(new Set(csv.map((r) => r.agent))).toEqual(new Set(['build-bot']));
    const made = await graphqlData(p.apiUrl, keys.botRead, 'mutation { createExport(input: { shape: breakdown, format: json, measures: ["calls"], by: ["agent"], timeRange: { relative: "last 7 days" } }) { url } }');
    const rows = await (await fetch(`${p.apiUrl}${made.createExport.url}`)).json() as Array<{ label: string; depth: number }>;
    expect(rows.filter((r) => r.depth === 1).map((r) => r.label)).toEqual(['build-bot']);
    const cube = await graphqlRequest(p.apiUrl, keys.botRead, '{ cube { usage { agent calls } } }', {}, '/graphql/cube');
    expect(cube.body.errors).toBeUndefined();
    expect(cube.body.data.cube.map((r: { usage: { agent: string } }) => r.usage.agent)).toEqual(['build-bot']);
    // A web session opened with the key reads as the key does.
    const { session } = await (await fetch(`${p.apiUrl}/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${keys.botRead}` } })).json() as { session: string };
    const viaSession = await read(session, BY_AGENT);
    expect(viaSession.body.data.breakdown.children.map((c: { label: string }) => c.label)).toEqual(['build-bot']);
  });

  it('fields and routes that cannot filter by the restriction refuse the key', async () => {
    for (const field of ['{ budgets { id } }', '{ anomalies { id } }', '{ plans { id } }', '{ history(measures: ["calls"], granularity: day) { series { label } } }']) {
      const res = await read(keys.botRead, field);
      expect(res.body.errors?.[0]?.extensions?.code, field).toBe('FORBIDDEN');
      expect(res.body.errors[0].message).toMatch(/restricted to agent = build-bot/);
    }
    const plans = await fetch(`${p.apiUrl}/v1/plans`, { headers: { authorization: `Bearer ${keys.botRead}` } });
    expect(plans.status).toBe(403);
    const work = await fetch(`${p.apiUrl}/v1/plans/p-1`, { method: 'PUT', headers: { authorization: `Bearer ${keys.botIngest}`, 'content-type': 'application/json' }, body: '{}' });
    expect(work.status).toBe(403);
  });

  it('the guard check answers for the key\'s values, naming only the budgets within them', async () => {
    const budget = (name: string, scope: unknown[]) => graphqlData(p.apiUrl, admin, 'mutation ($input: BudgetInput!) { createBudget(input: $input) { id } }', {
      input: { name, scope, wholeWorkspace: scope.length === 0, period: 'daily', amount: '1000', mode: 'hard' },
    });
    await budget('Everything', []);
    await budget('Build bot', [{ member: 'agent', operator: 'equals', values: ['build-bot'] }]);
    const guard = (query: string) => fetch(`${p.apiUrl}/v1/guard/check?${query}`, { headers: { authorization: `Bearer ${keys.botRead}` } });
    const conflict = await guard('agent=reviewer');
    expect(conflict.status).toBe(403);
    expect(await conflict.json()).toMatchObject({ field: 'agent' });
    const answer = await waitFor(async () => {
      const d = await (await guard('model=gpt-4o')).json() as { allow: boolean; budgets: Array<{ name: string }> };
      return d.budgets.length ? d : undefined;
    }, 10_000, 'the budgets to reach the guard');
    expect(answer.allow).toBe(true);
    expect(answer.budgets.map((b) => b.name)).toEqual(['Build bot']);
  });
});

describe('making restricted keys', () => {
  const create = (input: Record<string, unknown>) => read(admin, 'mutation ($input: ApiKeyInput!) { createApiKey(input: $input) { apiKey { restriction { dimension value } } } }', { input });

  it('accepts context dimensions only, and no restriction on an admin key', async () => {
    const made = await create({ name: 'acme', scopes: ['read'], restriction: [{ dimension: 'customer_id', value: 'acme' }] });
    expect(made.body.data.createApiKey.apiKey.restriction).toEqual([{ dimension: 'customer_id', value: 'acme' }]);
    const unknown = await create({ name: 'x', scopes: ['read'], restriction: [{ dimension: 'provider', value: 'openai' }] });
    expect(unknown.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.restriction.0.dimension' });
    const adminKey = await create({ name: 'x', scopes: ['admin'], restriction: [{ dimension: 'agent', value: 'a' }] });
    expect(adminKey.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.restriction' });
  });
});

describe('expiry', () => {
  it('a key stops at its expiry, though its identity is cached', async () => {
    const { key } = await issueApiKey(p.pool, workspaceId, { name: 'short', scopes: ['read'], expiresAt: new Date(Date.now() + 1500) });
    const me = () => fetch(`${p.apiUrl}/v1/me`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    expect(await me()).toBe(200); // now cached for 30 s
    await new Promise((r) => setTimeout(r, 1600));
    expect(await me()).toBe(401);
  });
});
