// Thousands of malformed and hostile requests against the real API: wrong types,
// huge strings, deep JSON, invalid UTF-8, NUL bytes, lone surrogates, prototype
// pollution, SQL and GraphQL injection. Each must get a 4xx (never a 5xx, never a
// 202), the API must keep serving, and nothing may be stored. Hostile text inside
// valid events is data: stored verbatim, and found by nobody else.
import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { type GraphQLSchema, buildClientSchema, getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planUpsertSchema, taskUpsertSchema, usageEventInputSchema, workItemUpsertSchema } from '@spendgraph/schema';
import { HOSTILE_TEXT, INTERNAL_TEXT, argumentVariants, bodiesFromZod, documentFor } from '@spendgraph/test-support/hostile';
import { type Platform, graphqlRequest, postEvents, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';
import { registeredRoutes } from './routes.ts';

let p: Platform;
/** The proxy's upstream: a local stand-in that answers every call (no request leaves the machine). */
let upstream: Server;
beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"fuzz","model":"fuzz-model"}'));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  process.env.PROXY_OPENAI_UPSTREAM = url;
  process.env.PROXY_ANTHROPIC_UPSTREAM = url;
  p = await startPlatform();
});
afterAll(async () => {
  await p?.stop();
  upstream?.close();
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

// ---------------------------------------------------------------------------
// Every route and every GraphQL field, found from the code: Fastify's route table and the
// GraphQL schemas by introspection. A route or field added tomorrow is fuzzed without an edit.

/** Path segments for `:param` and `*`. */
const HOSTILE_SEGMENTS = [...HOSTILE_TEXT.filter((t) => t.length < 5_000 && t !== ''), 'x'.repeat(9_000), randomUUID(), '%', '%E0%A4%A'];
const HOSTILE_QUERIES = [
  'limit=-1&limit=2', 'format=xml', 'from=0000-01-01', 'relative=last%20100000%20years', 'from=2026-01-01&to=0000-01-01',
  `filters=${encodeURIComponent(JSON.stringify([{ member: 'model', operator: 'equals', values: Array.from({ length: 70_000 }, (_, i) => `m${i}`) }]))}`,
  `filters=${encodeURIComponent(JSON.stringify([{ member: 'latency_ms', operator: 'gt', values: ['1e309'] }]))}`,
  `filters=${encodeURIComponent(JSON.stringify(Array.from({ length: 5_000 }, () => ({ member: 'model', operator: 'equals', values: ['x'] }))))}`,
  `measures=${Array.from({ length: 2_000 }, (_, i) => `m${i}`).join(',')}&by=model`, 'measures=total_cost&by=model&limit=999999999999',
  'measures=total_cost&by=model,model,model,model,model,model,model,model', '__proto__[admin]=1', 'timezone=%00', 'timezone=Mars%2FOlympus',
  'measures=total_cost&by=model&granularity=day&from=2026-01-01T00:00:00%00', 'columns=%00', 'limit=1e309', 'x=' + 'y'.repeat(10_000),
];
const ROUTE_BODIES: Array<[string, string]> = [
  ['application/json', '{'], ['application/json', 'null'], ['application/json', '[]'], ['application/json', '[null]'], ['application/json', '{}'],
  ['application/json', '"x"'], ['application/json', '{"__proto__":{"admin":true}}'], ['application/json', '[[[[[[[[[[]]]]]]]]]]'],
  ['application/json', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [null] }] }] })],
  ['application/x-protobuf', '\u0000\u00ff\u00fe garbage'], ['text/plain', 'hello'], ['application/x-ndjson', '{"a":1}\n{'],
];
/** OTLP spans with each hostile time, id and attribute (the list, and more). */
function hostileSpans() {
  const attrs = [{ key: 'gen_ai.usage.input_tokens', value: { intValue: '5' } }, { key: 'gen_ai.request.model', value: { stringValue: 'm' } }, { key: 'gen_ai.system', value: { stringValue: 'openai' } }];
  const span = (extra: Record<string, unknown>) => ({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab', spanId: 'cd', attributes: attrs, ...extra }] }] }] });
  return [
    ...['abc', 1.5, 1e300, {}, [], -1, '99999999999999999999999', null, true].map((t) => span({ startTimeUnixNano: t })),
    ...['abc', 1.5, {}].map((t) => span({ endTimeUnixNano: t })),
    span({ attributes: [null] }), span({ attributes: [{ key: 'gen_ai.usage.input_tokens', value: { intValue: 'abc' } }] }),
    span({ attributes: [{ key: 'gen_ai.usage.input_tokens', value: { doubleValue: 'x' } }, ...attrs] }), span({ attributes: {} }),
    span({ attributes: [...attrs, { key: 'spendgraph.plan_id', value: { stringValue: 'a\u0000b' } }] }), span({ traceId: 5 }),
    { resourceSpans: [null] }, { resourceSpans: [{ scopeSpans: [null] }] }, { resourceSpans: {} }, { resourceSpans: [{ resource: { attributes: [null] } }] },
  ];
}

const validEvent = () => ({ id: randomUUID(), occurred_at: '2026-10-01T12:00:00Z', provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 10, output_tokens: 5 } });
/** JSON bodies per route, from the route's own zod schema where it has one. */
function bodiesFor(url: string): unknown[] {
  if (url === '/v1/events') {
    const invalid = bodiesFromZod(usageEventInputSchema, validEvent()).map((e) => [{ ...e, id: randomUUID() }]);
    // Hostile text that is valid data: accepted (202), and each must be stored exactly once.
    const valid = [...SQL, '\u202e\u0301 ünïcödé 🧨', 'x'.repeat(200)].map((t) => [{ ...validEvent(), model: t, user_id: t, tags: { note: t } }]);
    return [...invalid, ...valid];
  }
  if (url === '/v1/traces') return hostileSpans();
  if (url === '/v1/plans/:id') return bodiesFromZod(planUpsertSchema);
  if (url === '/v1/tasks/:id') return bodiesFromZod(taskUpsertSchema);
  if (url === '/v1/work-items/:id') return bodiesFromZod(workItemUpsertSchema);
  return [{}, { query: '{ __typename }' }, { a: 'x'.repeat(100_000) }];
}

/** A segment as it goes on the wire: raw percent escapes as they are, a lone surrogate as its bytes. */
function encodeSegment(seg: string) {
  if (seg.startsWith('%')) return seg;
  try {
    return encodeURIComponent(seg);
  } catch {
    return '%ED%A0%80';
  }
}

function fill(url: string, segment: string) {
  return url.replace(/:[A-Za-z]+/g, segment).replace('*', `v1/${segment}`);
}

interface Outcome { status: number; text: string }
type Check = (o: Outcome, what: string) => void;

/**
 * Larger than the API takes: a body over its 1 MiB limit, or a request line and headers over Node's
 * 16 KiB header limit (the server answers 413/414/431 and closes, maybe before the client is done).
 */
function oversized(url: string, headers: Record<string, string>, body?: string) {
  const head = url.length + Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  return (body?.length ?? 0) > 1024 * 1024 || head > 16 * 1024;
}

/**
 * One request. The server may refuse an oversized request and close before it is all sent:
 * the client then sees its write fail; that refusal is counted as status 0, not as a failure.
 */
async function call(method: string, url: string, headers: Record<string, string>, body?: string, retried = false): Promise<Outcome> {
  try {
    const res = await fetch(url, { method, headers, ...(body !== undefined && method !== 'GET' ? { body } : {}), signal: AbortSignal.timeout(60_000) });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    const code = ((e as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    if ((code === 'EPIPE' || code === 'ECONNRESET') && oversized(url, headers, body)) return { status: 0, text: '' };
    // A kept-alive socket the server closed (after refusing a request: 414, 431) just as the client
    // reused it — seen as UND_ERR_SOCKET or ECONNRESET: asked again once (ids make resent events
    // safe). A crashed API fails again.
    if ((code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') && !retried) return call(method, url, headers, body, true);
    return { status: 599, text: `the connection failed: ${code ?? (e as Error).message}` }; // a failure, reported with the others
  }
}

/** Runs tasks a few at a time (the machine is shared). */
async function inBatches<T>(items: T[], run: (t: T) => Promise<void>, width = 4) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(run));
}

async function fuzzRoutes(routes: Array<{ method: string; url: string }>, keys: { events: string; other: string }, anyCheck: Check, accepted: string[]) {
  const tasks: Array<() => Promise<void>> = [];
  for (const { method, url } of routes) {
    // The API reference's script is a file shipped as built (its own error strings included): only its status counts.
    const check: Check = url.endsWith('.js') ? (o, what) => anyCheck({ ...o, text: '' }, what) : anyCheck;
    if (url.startsWith('/graphql')) continue; // below, field by field
    // fetch cannot send these; the proxy's catch-all takes every method: its common ones stand for the rest.
    if (['TRACE', 'CONNECT', 'TRACK'].includes(method) || (url.startsWith('/proxy/') && !['GET', 'POST', 'DELETE'].includes(method))) continue;
    const key = url === '/v1/events' ? keys.events : keys.other;
    const auth: Record<string, string> = url.startsWith('/proxy/') ? { 'x-spendgraph-key': key } : { authorization: `Bearer ${key}` };
    const segments = url.includes(':') || url.includes('*') ? HOSTILE_SEGMENTS : [''];
    for (const seg of segments) {
      const path = fill(url, encodeSegment(seg));
      tasks.push(async () => check(await call(method, `${p.apiUrl}${path}`, auth), `${method} ${path.slice(0, 100)}`));
    }
    for (const headers of [{}, { authorization: `Bearer ${key}x`, 'x-spendgraph-key': 'k' }] as Array<Record<string, string>>) {
      tasks.push(async () => check(await call(method, `${p.apiUrl}${fill(url, 'x')}`, headers), `${method} ${url} with a bad key`));
    }
    const path = fill(url, url.includes('download') || url.includes('embeds') ? 'a'.repeat(32) : 'x');
    if (method === 'GET') {
      if (!url.includes(':shape')) for (const q of HOSTILE_QUERIES) tasks.push(async () => check(await call(method, `${p.apiUrl}${path}?${q}`, auth), `${method} ${path}?${q.slice(0, 100)}`));
      else {
        for (const shape of ['breakdown', 'timeseries', 'events', 'focus']) {
          for (const q of HOSTILE_QUERIES) tasks.push(async () => check(await call(method, `${p.apiUrl}/v1/exports/${shape}?${q}`, auth), `GET /v1/exports/${shape}?${q.slice(0, 100)}`));
        }
      }
      continue;
    }
    for (const [type, raw] of ROUTE_BODIES) tasks.push(async () => check(await call(method, `${p.apiUrl}${path}`, { ...auth, 'content-type': type }, raw), `${method} ${path} ${type} ${raw.slice(0, 60)}`));
    for (const body of bodiesFor(url)) {
      tasks.push(async () => {
        const o = await call(method, `${p.apiUrl}${path}`, { ...auth, 'content-type': 'application/json' }, JSON.stringify(body));
        if (url === '/v1/events' && o.status === 202) {
          accepted.push(...(JSON.parse(o.text).ids as string[]));
          if (process.env.TEST_VERBOSE) console.log('accepted', JSON.stringify(body).slice(0, 300));
        }
        check(o, `${method} ${path} ${JSON.stringify(body).slice(0, 200)}`);
      });
    }
  }
  await inBatches(tasks, (t) => t());
  return tasks.length;
}

async function introspect(path: string, key: string): Promise<GraphQLSchema> {
  const { body } = await graphqlRequest(p.apiUrl, key, getIntrospectionQuery(), {}, path);
  return buildClientSchema(body.data);
}

/** Every root field of the schema at `path`, with typed base arguments and one hostile leaf at a time. */
async function fuzzGraphql(path: string, key: string, check: Check, perField = 60) {
  const schema = await introspect(path, key);
  const tasks: Array<() => Promise<void>> = [];
  for (const [operation, type] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const doc = documentFor(operation, field);
      const variants = argumentVariants(field, schema);
      const step = Math.max(1, Math.ceil(variants.length / perField));
      for (let i = 0; i < variants.length; i += step) {
        const v = variants[i]!;
        tasks.push(async () => {
          const body = JSON.stringify({ query: doc, variables: v.variables });
          check(await call('POST', `${p.apiUrl}${path}`, { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body), `${path} ${field.name} ${v.what}`);
        });
      }
    }
  }
  await inBatches(tasks, (t) => t());
  return tasks.length;
}

it('answers every route and every GraphQL field, fed hostile values, without a 5xx or internal text, and loses nothing', async () => {
  const routes = await registeredRoutes(p.env);
  expect(routes.length).toBeGreaterThan(15);
  const events = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  const other = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  const statuses: Record<number, number> = {};
  const fails: string[] = [];
  const check: Check = (o, what) => {
    statuses[o.status] = (statuses[o.status] ?? 0) + 1;
    if (o.status >= 500) return void fails.push(`${o.status} for ${what}: ${o.text.slice(0, 300)}`);
    const leak = INTERNAL_TEXT.exec(o.text);
    if (leak) fails.push(`internal text (${o.text.slice(Math.max(0, leak.index - 100), leak.index + 100)}) for ${what}`);
  };
  const accepted: string[] = [];
  const restRequests = await fuzzRoutes(routes, { events: events.key, other: other.key }, check, accepted);
  const gqlRequests = (await fuzzGraphql('/graphql', other.key, check)) + (await fuzzGraphql('/graphql/cube', other.key, check, 20));

  // Nothing lost, nothing doubled: every id a 202 promised is stored exactly once, and nothing else.
  const promised = new Set(accepted);
  await waitFor(async () => (await storedCount(p.pool, events.workspaceId)) >= promised.size, 30_000, 'the accepted events').catch(() => undefined);
  const { rows } = await p.pool.query('SELECT event_id::text AS id, count(*)::int AS n FROM usage_events WHERE workspace_id = $1 GROUP BY event_id', [events.workspaceId]);
  const ready = await fetch(`${p.apiUrl}/ready`);
  console.log('fuzz (every route and field)', JSON.stringify({
    routes: routes.length, requests: restRequests + gqlRequests, rest: restRequests, graphql: gqlRequests, statuses,
    accepted: promised.size, stored: rows.length, doubled: rows.filter((r) => r.n > 1).length, lost: [...promised].filter((id) => !rows.some((r) => r.id === id)).length,
  }));
  expect(fails.slice(0, 30)).toEqual([]);
  expect(promised.size).toBeGreaterThan(0);
  expect(rows.map((r) => r.id).sort()).toEqual([...promised].sort());
  expect(rows.every((r) => r.n === 1)).toBe(true);
  expect(ready.status).toBe(200);
}, 900_000);
