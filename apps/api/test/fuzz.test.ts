// Thousands of malformed and hostile requests against the real API: wrong types,
// huge strings, deep JSON, invalid UTF-8, NUL bytes, lone surrogates, prototype
// pollution, SQL and GraphQL injection. Each must get a 4xx (never a 5xx, never a
// 202), the API must keep serving, and nothing may be stored. Hostile text inside
// valid events is data: stored verbatim, and found by nobody else.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Platform, graphqlRequest, postEvents, startPlatform, storedCount, waitFor, workspaceWithKey } from '../../../test/support/platform.ts';

let p: Platform;
beforeAll(async () => {
  p = await startPlatform();
});
afterAll(async () => {
  await p?.stop();
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SQL = ["'; DROP TABLE usage_events; --", "' OR '1'='1", '1; DELETE FROM api_keys', "x') ON CONFLICT DO NOTHING; --", '$$; SELECT pg_sleep(10); $$'];
// Invalid as labels (SQL text is a valid label: the second test stores it verbatim).
const HOSTILE_STRINGS = ['', '   ', 'x'.repeat(201), 'y'.repeat(100_000), 'gpt\u0000-4o', 'a\ud800b', '\udfff', `${SQL[0]}\u0000`];

/** For each field, values that make an otherwise valid event invalid. */
const INVALID: Record<string, unknown[]> = {
  id: ['not-a-uuid', 123, '', '00000000-0000-0000-0000-00000000000g', {}, [], null, ...SQL],
  occurred_at: ['yesterday', 1_700_000_000, '2026-13-45T00:00:00Z', '2026-10-01T12:00:00', '9999-01-01T00:00:00Z', null, true, ...SQL],
  kind: ['llm', 1, null, [], "model_call' OR '1'='1"],
  provider: [42, {}, [], null, ...HOSTILE_STRINGS],
  model: [42, {}, [], null, false, ...HOSTILE_STRINGS],
  status: ['fine', 0, null, {}, ...SQL],
  latency_ms: [-1, 1.5, '100', 1e12, null, true, {}],
  usage: ['1000', [], 7, null, { input_tokens: -5 }, { input_tokens: 1.5 }, { input_tokens: '12' }, { input_tokens: 1e13 },
    { evil: 1 }, { input_tokens: SQL[0] }, { output_tokens: { $gt: 0 } }, { convention: 'metric' }],
  cost: ['-1', 'abc', '1e5', {}, [], true, '1.2.3', '0.' + '1'.repeat(19), ...SQL],
  currency: ['usd', 'DOLLARS', 1, '', null, ...SQL],
  source: [1, '', 'z'.repeat(51), null, 'src\u0000'],
  tags: [[], 'x', 5, null, { k: { nested: 1 } }, { k: [1] }, { '': 1 }, { k: 'x'.repeat(501) }, { k: null }, { k: 'a\u0000' },
    { 'k\u0000': 'v' }, { ['t'.repeat(101)]: 1 }, Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]))],
  plan_id: [7, {}, [], null, ...HOSTILE_STRINGS],
  user_id: [7, {}, true, ...HOSTILE_STRINGS],
  workspace_id: [randomUUID(), 'other-workspace'], // not a field: the workspace comes from the key
  unknown_field: ['x', 1, {}],
};

const valid = () => ({
  id: randomUUID(),
  occurred_at: '2026-10-01T12:00:00Z',
  provider: 'openai',
  model: 'gpt-4o-mini',
  usage: { input_tokens: 10, output_tokens: 5 },
});

/** A JSON body that must be refused: a batch with at least one invalid event. */
function hostileBatch(rnd: () => number): unknown[] {
  const fields = Object.keys(INVALID);
  const batch: Array<Record<string, unknown>> = Array.from({ length: 1 + Math.floor(rnd() * 3) }, valid);
  const victim = batch[Math.floor(rnd() * batch.length)]!;
  for (let n = 1 + Math.floor(rnd() * 2); n > 0; n--) {
    const field = fields[Math.floor(rnd() * fields.length)]!;
    const values = INVALID[field]!;
    victim[field] = values[Math.floor(rnd() * values.length)];
  }
  return batch;
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const utf8 = (s: string) => Buffer.from(s, 'utf8');
/** Raw bodies: broken JSON and encodings, with the content type they are sent as. */
const RAW_BODIES: Array<[string, string | Buffer]> = [
  ['application/json', '{'],
  ['application/json', '[1,'],
  ['application/json', ''],
  ['application/json', 'null'],
  ['application/json', '{"id": 1}'],
  ['application/json', '"just a string"'],
  ['application/json', '[1, 2, 3]'],
  ['application/json', '[[]]'],
  ['application/json', deep(100_000)],
  ['application/json', `[${deepObject(50_000)}]`],
  ['application/json', `[{"__proto__": {"admin": true}, "occurred_at": "2026-10-01T12:00:00Z", "provider": "openai", "model": "m"}]`],
  ['application/json', `[{"constructor": {"prototype": {"x": 1}}, "occurred_at": "2026-10-01T12:00:00Z", "provider": "openai", "model": "m"}]`],
  ['application/json', Buffer.concat([utf8('[{"occurred_at":"2026-10-01T12:00:00Z","provider":"openai","model":"gpt'), Buffer.from([0xff, 0xfe, 0xc3]), utf8('"}]')])],
  ['application/json', Buffer.concat([utf8('[{"occurred_at":"2026-10-01T12:00:00Z","provider":"openai","model":"m","user_id":"'), Buffer.from([0xed, 0xa0, 0x80]), utf8('"}]')])],
  ['application/json', JSON.stringify(Array.from({ length: 10_001 }, valid))],
  ['application/json', '[]'],
  ['application/x-ndjson', '{"occurred_at": "2026-10-01T12:00:00Z"}\n{nope'],
  ['application/x-ndjson', Buffer.concat([utf8('{"occurred_at":"2026-10-01T12:00:00Z","provider":"openai","model":"'), Buffer.from([0xc0, 0xaf]), utf8('"}\n')])],
  ['application/x-ndjson', '\n\n'],
  ['text/plain', JSON.stringify([valid()])],
  ['application/xml', '<events/>'],
];

/**
 * Filter values are data: these run, and must find nothing (the stored SQL text
 * lives in another workspace, written by the first test).
 */
const GRAPHQL_EMPTY = SQL.map((text) => `{ events(filters: [{ member: "model", operator: equals, values: [${JSON.stringify(text)}] }], first: 5) { edges { node { id model } } } }`);

/** GraphQL documents an attacker might send; each must be an error, never a 5xx. */
const GRAPHQL: Array<[string, Record<string, unknown>?]> = [
  ['{ breakdown(measures: ["total_cost"], by: ["model\'; DROP TABLE usage_events; --"]) { label } }'],
  ['{ breakdown(measures: ["total_cost) FROM usage_events; --"]) { label } }'],
  ['{ events(filters: [{ member: "workspace_id", operator: notEquals, values: ["x"] }], first: 1) { edges { node { id } } } }'],
  ['{ timeseries(measures: ["total_cost"], granularity: day, timeRange: { from: "2026-01-01\'; --", to: "x" }) { series { label } } }'],
  ['query($m: [String!]!) { breakdown(measures: $m) { label } }', { m: 5 }],
  ['query($m: [String!]!) { breakdown(measures: $m) { label } }', { m: ['a'.repeat(100_000)] }],
  [`{ ${'a: __typename '.repeat(2_000)} }`],
  [`{ breakdown(measures: ["calls"]) { ${'children { '.repeat(50)} label ${'} '.repeat(50)} } }`],
  ['{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }'],
  ['mutation { deleteBudget(id: "\' OR 1=1 --") }'],
  ['{ breakdown(measures: ["total_cost"] { label }'],
  ['\u0000{ __typename }'],
  ['{ budget(id: "00000000-0000-0000-0000-000000000000\' OR \'1\'=\'1") { id } }'],
];

it('stores hostile text in valid events verbatim, as data', async () => {
  const ws = await workspaceWithKey(p.pool, ['ingest']);
  const events = SQL.map((text) => ({ ...valid(), model: text, user_id: text, tags: { note: text } }));
  expect((await postEvents(p.apiUrl, ws.key, events)).status).toBe(202);
  await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) === events.length, 30_000, 'hostile-text events');
  const { rows } = await p.pool.query('SELECT model, user_id, tags FROM usage_events WHERE workspace_id = $1 ORDER BY model', [ws.workspaceId]);
  expect(rows).toEqual([...SQL].sort().map((text) => ({ model: text, user_id: text, tags: { note: text } })));
});

it('answers thousands of hostile ingest and GraphQL requests with 4xx only, and stores nothing', async () => {
  const ws = await workspaceWithKey(p.pool, ['ingest', 'read']);
  const rnd = random(20261123);
  const statuses: Record<number, number> = {};
  const count = (s: number) => (statuses[s] = (statuses[s] ?? 0) + 1);
  const fails: string[] = [];
  const check = (status: number, what: string) => {
    count(status);
    if (status < 400 || status >= 500) fails.push(`${status} for ${what.slice(0, 500)}`);
  };

  for (let i = 0; i < 3_000; i++) {
    const body = hostileBatch(rnd);
    const res = await postEvents(p.apiUrl, ws.key, body);
    await res.arrayBuffer();
    check(res.status, JSON.stringify(body));
  }
  for (const [type, body] of RAW_BODIES) {
    const res = await fetch(`${p.apiUrl}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${ws.key}`, 'content-type': type }, body });
    await res.arrayBuffer();
    check(res.status, `${type} ${String(body).slice(0, 100)}`);
  }
  for (const auth of ['', 'Bearer', 'Bearer x', `Basic ${ws.key}`, `Bearer ${ws.key}' OR '1'='1`, `Bearer ${'k'.repeat(10_000)}`]) {
    const res = await fetch(`${p.apiUrl}/v1/events`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify([valid()]) });
    await res.arrayBuffer();
    check(res.status, `authorization ${auth.slice(0, 40)}`);
  }
  for (const [query, variables] of GRAPHQL) {
    const { status, body } = await graphqlRequest(p.apiUrl, ws.key, query, variables);
    // A resolver's refusal is a 200 with errors (GraphQL over HTTP); it must still be a refusal, not a crash.
    const refused = status >= 400 && status < 500 ? status : body.errors?.length && body.errors.every((e: any) => e.extensions?.code !== 'INTERNAL_SERVER_ERROR') ? 400 : 500;
    check(refused, `graphql ${query} -> ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
  }
  for (const query of GRAPHQL_EMPTY) {
    const { status, body } = await graphqlRequest(p.apiUrl, ws.key, query);
    count(status);
    if (status !== 200 || body.errors || body.data.events.edges.length) fails.push(`graphql ${query} -> ${JSON.stringify(body).slice(0, 300)}`);
  }

  console.log('fuzz figures', JSON.stringify({ requests: Object.values(statuses).reduce((a, b) => a + b, 0), statuses }));
  expect(fails).toEqual([]);
  expect((await fetch(`${p.apiUrl}/ready`)).status).toBe(200);
  // Give the worker time to store anything that might have slipped through, then look.
  await new Promise((r) => setTimeout(r, 2_000));
  expect(await storedCount(p.pool, ws.workspaceId)).toBe(0);
}, 600_000);
