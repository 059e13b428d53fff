// The issue's own list of inputs that were answered 500 or INTERNAL_SERVER_ERROR with Postgres'
// text: each is now a 4xx (or a GraphQL argument error) naming its field, with no internal text.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INTERNAL_TEXT } from '@spendgraph/test-support/hostile';
import { type Platform, graphqlRequest, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let key: string;
beforeAll(async () => {
  p = await startPlatform({ worker: false });
  key = (await workspaceWithKey(p.pool, ['ingest', 'read', 'admin'])).key;
});
afterAll(async () => {
  await p?.stop();
});

async function send(method: string, path: string, body?: unknown) {
  const res = await fetch(`${p.apiUrl}${path}`, {
    method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  expect(text).not.toMatch(INTERNAL_TEXT);
  return { status: res.status, body: JSON.parse(text) };
}

const genAiSpan = (extra: Record<string, unknown>) => ({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab', spanId: 'cd', attributes: [
  { key: 'gen_ai.system', value: { stringValue: 'openai' } }, { key: 'gen_ai.request.model', value: { stringValue: 'm' } },
  { key: 'gen_ai.usage.input_tokens', value: { intValue: '5' } }], ...extra }] }] }] });

it('refuses hostile OTLP times, null spans and attributes with a 400 naming the path', async () => {
  for (const t of ['abc', 1.5, 1e300, {}]) {
    const { status, body } = await send('POST', '/v1/traces', genAiSpan({ startTimeUnixNano: t }));
    expect(status, JSON.stringify(t)).toBe(400);
    expect(body.field).toBe('resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano');
  }
  expect((await send('POST', '/v1/traces', { resourceSpans: [{ scopeSpans: [{ spans: [null] }] }] })).status).toBe(400);
  const attrs = await send('POST', '/v1/traces', genAiSpan({ attributes: [null] }));
  expect(attrs).toMatchObject({ status: 400, body: { field: 'resourceSpans[0].scopeSpans[0].spans[0].attributes[0]' } });
});

it('refuses NUL characters and year 0000 in plans, tasks, work items, budgets and channels, naming the field', async () => {
  expect(await send('PUT', '/v1/plans/p1', { name: 'a\u0000b' })).toMatchObject({ status: 400, body: { issues: [{ path: 'name' }] } });
  expect(await send('PUT', '/v1/plans/p1', { closed_at: '0000-01-01T00:00:00Z' })).toMatchObject({ status: 400, body: { issues: [{ path: 'closed_at' }] } });
  expect(await send('PUT', '/v1/tasks/t1', { task_type: 'x\u0000' })).toMatchObject({ status: 400, body: { issues: [{ path: 'task_type' }] } });
  expect(await send('PUT', '/v1/work-items/w1', { title: '\u0000' })).toMatchObject({ status: 400, body: { issues: [{ path: 'title' }] } });
  const budget = await graphqlRequest(p.apiUrl, key, 'mutation($n: String!) { createBudget(input: { name: $n, period: monthly, amount: "10", wholeWorkspace: true }) { id } }', { n: 'b\u0000' });
  expect(budget.body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'input.name' });
  const channel = await graphqlRequest(p.apiUrl, key, 'mutation($n: String!) { createAlertChannel(input: { name: $n, type: email, target: "a@example.com" }) { id } }', { n: 'c\u0000' });
  expect(channel.body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'input.name' });
  const plan = await graphqlRequest(p.apiUrl, key, 'mutation { upsertPlan(id: "p2", input: { closedAt: "0000-06-01T00:00:00Z" }) { id } }');
  expect(plan.body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'input.closedAt' });
});

it('refuses exports over absurd ranges and filter values past a double, naming the parameter', async () => {
  const at = '/v1/exports/events?format=csv';
  expect(await send('GET', `${at}&relative=${encodeURIComponent('last 100000 years')}`)).toMatchObject({ status: 400, body: { field: 'relative' } });
  expect(await send('GET', `${at}&from=0000-01-01`)).toMatchObject({ status: 400, body: { field: 'from' } });
  const filters = encodeURIComponent(JSON.stringify([{ member: 'latency_ms', operator: 'gt', values: ['1e309'] }]));
  expect(await send('GET', `${at}&filters=${filters}`)).toMatchObject({ status: 400, body: { field: 'filters[0].values[0]' } });
  const gql = await graphqlRequest(p.apiUrl, key, '{ breakdown(measures: ["total_cost"], by: ["model"], filters: [{ member: "latency_ms", operator: gt, values: ["1e309"] }]) { label } }');
  expect(gql.body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'filters[0].values[0]' });
});

it('refuses oversized queries before they reach Cube, naming the argument', async () => {
  const q = 'query($m: [String!]!, $by: [String!]!, $f: [Filter!]) { breakdown(measures: $m, by: $by, filters: $f) { label } }';
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ m: Array.from({ length: 2_000 }, (_, i) => `m${i}`), by: [] }, 'measures'],
    [{ m: ['total_cost'], by: ['model', 'user_id', 'plan_id', 'task_id', 'step', 'agent', 'provider'] }, 'by'],
    [{ m: ['total_cost'], by: [], f: Array.from({ length: 5_000 }, () => ({ member: 'model', operator: 'equals', values: ['x'] })) }, 'filters'],
    [{ m: ['total_cost'], by: [], f: [{ member: 'model', operator: 'equals', values: Array.from({ length: 70_000 }, (_, i) => `v${i}`) }] }, 'filters[0].values'],
  ];
  for (const [variables, field] of cases) {
    const started = performance.now();
    const { body } = await graphqlRequest(p.apiUrl, key, q, variables);
    expect(body.errors[0].extensions, field).toMatchObject({ code: 'TOO_LARGE', field });
    console.log(`refused ${field} in ${Math.round(performance.now() - started)} ms`);
  }
});

it('says only ok or unavailable on /ready', async () => {
  expect(await (await fetch(`${p.apiUrl}/ready`)).json()).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });
});
