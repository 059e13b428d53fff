// Exports against the real api + worker: events go in through the ingest path and come
// out as CSV, JSON, NDJSON and FOCUS; figures are compared with the GraphQL API's.
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neutraliseFormula } from '../src/exports/encode.ts';
import { validateFocus } from '../src/exports/focus-spec.ts';
import { type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let a: { workspaceId: string; key: string };
let b: { workspaceId: string; key: string };

const hour = (h: number) => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - h * 3_600_000);
const at = (h: number, minute: number) => new Date(hour(h).getTime() + minute * 60_000).toISOString();
/** A day boundary: a sub-day `from` would make Cube read the daily roll-up's buckets from that instant (and find none). */
const daysAgo = (d: number) => new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - d * 86_400_000);
const HOSTILE = 'comma, "quote"\nnew line — ünïcödé ✓';

/** Workspace A: priced calls of several token types over two hours, a negotiated rate, a supplied cost, a tool, an unpriced call. */
function fixtureA() {
  return [
    { occurred_at: at(2, 5), provider: 'anthropic', model: 'claude-sonnet-4-5', usage: { input_tokens: 1200, output_tokens: 300, cache_read_tokens: 30000, cache_write_5m_tokens: 2000 }, plan_id: 'plan-1', step: 'plan', user_id: 'ana', tags: { team: 'search', note: HOSTILE } },
    { occurred_at: at(2, 20), provider: 'anthropic', model: 'claude-sonnet-4-5', usage: { input_tokens: 800, output_tokens: 100 }, plan_id: 'plan-1', step: 'plan', user_id: 'ana', tags: { team: 'search', note: HOSTILE } },
    { occurred_at: at(2, 30), provider: 'anthropic', model: 'claude-sonnet-4-5', usage: { input_tokens: 500, output_tokens: 50, cache_write_1h_tokens: 4000 }, plan_id: 'plan-2', step: 'implement', user_id: 'bo' },
    { occurred_at: at(1, 10), provider: 'openai', model: 'o3', usage: { input_tokens: 2000, output_tokens: 1500, reasoning_tokens: 800, convention: 'disjoint' }, plan_id: 'plan-2', step: 'review', customer_id: 'acme' },
    { occurred_at: at(1, 15), provider: 'anthropic', model: 'claude-haiku-4-5', usage: { input_tokens: 10000, output_tokens: 1000 }, plan_id: 'plan-2', step: 'review' },
    { occurred_at: at(1, 40), provider: 'openai', model: 'gpt-4o', usage: { input_tokens: 100, output_tokens: 10 }, cost: '0.123456789', step: 'review' },
    { occurred_at: at(1, 45), kind: 'tool', cost: '0.25', step: 'review', agent: 'searcher' },
    { occurred_at: at(1, 50), provider: 'mystery', model: 'mystery-model-9', usage: { input_tokens: 10, output_tokens: 10 }, step: 'review' },
  ];
}

async function get(path: string, key?: string) {
  return fetch(`${p.apiUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
}

async function csvOf(path: string, key = a.key) {
  const res = await get(path, key);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="spendgraph-[a-z]+-[\dT-]+\.csv"$/);
  const text = await res.text();
  return { text, rows: parse(text, { columns: true }) as Array<Record<string, string>>, header: text.split('\n')[0]!.split(','), res };
}

async function jsonOf(path: string, key = a.key) {
  const res = await get(path, key);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Array<Record<string, unknown>>;
}

async function ndjsonOf(path: string, key = a.key) {
  const res = await get(path, key);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
  return (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function apiTotal(key: string, extra = '') {
  const data = await graphqlData(p.apiUrl, key, `{ breakdown(measures: ["total_cost", "calls"], by: []${extra}) { measures { measure value } } }`);
  return Object.fromEntries(data.breakdown.measures.map((m: { measure: string; value: string }) => [m.measure, m.value]));
}

/** Postgres writes events CSV and NDJSON (COPY); JSON goes through the row encoder: the same cells, as the encoder would write them. */
async function expectCsvAsEncoded(key: string, query = '') {
  const { rows } = await csvOf(`/v1/exports/events?${query}`, key);
  const json = await jsonOf(`/v1/exports/events?format=json&${query}`, key);
  const cell = (v: unknown) => (v === null || v === '' ? '' : typeof v === 'string' ? neutraliseFormula(v) : String(v));
  expect(rows.length).toBeGreaterThan(0);
  expect(rows).toEqual(json.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(v)]))));
  expect(await ndjsonOf(`/v1/exports/events?format=ndjson&${query}`, key)).toEqual(json);
}

/** FOCUS as CSV (Postgres writes it) and as JSON (the row path): the same rows, cell for cell (Tags compared as objects). */
async function expectFocusCsvAsRows(key: string, query = '') {
  const tags = (v: unknown) => Object.fromEntries(Object.entries(JSON.parse(String(v)) as object).sort(([a], [b]) => a.localeCompare(b)));
  const cell = (k: string, v: unknown) => (v === null || v === '' ? '' : k === 'Tags' ? tags(v) : typeof v === 'string' ? neutraliseFormula(v) : String(v));
  const canonical = (rows: Array<Record<string, unknown>>) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(k, v)])))
    .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  const { rows } = await csvOf(`/v1/exports/focus?${query}`, key);
  const json = await jsonOf(`/v1/exports/focus?format=json&${query}`, key);
  expect(rows.length).toBeGreaterThan(0);
  expect(canonical(rows)).toEqual(canonical(json));
}

const sum = (values: unknown[]) => values.reduce<Decimal>((s, v) => s.plus(new Decimal(String(v || 0))), new Decimal(0));

beforeAll(async () => {
  p = await startPlatform();
  a = await workspaceWithKey(p.pool, ['ingest', 'read']);
  b = await workspaceWithKey(p.pool, ['ingest', 'read']);
  // A negotiated rate for haiku in A: its FOCUS ListCost is the catalog's, its BilledCost this one.
  await p.pool.query(
    `INSERT INTO price_overrides (workspace_id, provider, model_pattern, input_per_mtok, output_per_mtok, effective_from)
     VALUES ($1, 'anthropic', '^claude-haiku-4-5$', 0.5, 2.5, now() - interval '30 days')`, [a.workspaceId]);
  await ingestAndWait(p, a, fixtureA());
  await ingestAndWait(p, b, [{ occurred_at: at(1, 5), provider: 'anthropic', model: 'claude-sonnet-4-5', usage: { input_tokens: 7, output_tokens: 7 }, plan_id: 'plan-1', user_id: 'b-only' }]);
}, 120_000);

afterAll(async () => {
  await p?.stop();
});

describe('breakdown and timeseries exports', () => {
  it('flattens the breakdown tree into one row per node, in CSV, JSON and NDJSON, with the API figures', async () => {
    const qs = 'measures=total_cost,calls,avg_cost_per_call&by=provider,model&from=' + encodeURIComponent(daysAgo(2).toISOString());
    const { rows, header } = await csvOf(`/v1/exports/breakdown?${qs}`);
    expect(header).toEqual(['depth', 'provider', 'model', 'label', 'other', 'other_count', 'total_cost', 'calls', 'avg_cost_per_call', 'total_cost_share', 'calls_share', 'avg_cost_per_call_share']);
    const tree = (await graphqlData(p.apiUrl, a.key, `query($from: String) { breakdown(measures: ["total_cost", "calls", "avg_cost_per_call"], by: ["provider", "model"], timeRange: { from: $from }) {
      measures { value } children { value measures { value } children { value measures { value } } } } }`, { from: daysAgo(2).toISOString() })).breakdown;
    expect(rows[0]).toMatchObject({ depth: '0', label: 'Total', provider: '', total_cost: tree.measures[0].value, calls: '8' });
    const sonnet = rows.find((r) => r.model === 'claude-sonnet-4-5')!;
    const apiSonnet = tree.children.find((c: any) => c.value === 'anthropic').children.find((c: any) => c.value === 'claude-sonnet-4-5');
    expect(sonnet).toMatchObject({ depth: '2', provider: 'anthropic', calls: '3', total_cost: apiSonnet.measures[0].value, avg_cost_per_call: apiSonnet.measures[2].value });
    // Depth-first: each provider row precedes its models.
    expect(rows.map((r) => r.depth)).toEqual(['0', ...tree.children.flatMap((c: any) => ['1', ...c.children.map(() => '2')])]);

    const json = await jsonOf(`/v1/exports/breakdown?format=json&${qs}`);
    expect(json).toHaveLength(rows.length);
    expect(json[0]).toMatchObject({ depth: 0, label: 'Total', provider: null, other: false, total_cost: tree.measures[0].value });
    expect(typeof json[0]!.total_cost).toBe('string'); // exact decimal text, never a float
    const nd = await ndjsonOf(`/v1/exports/breakdown?format=ndjson&${qs}`);
    expect(nd).toEqual(json);
  });

  it('keeps the columns asked for, in that order, and applies filters and limit', async () => {
    const filters = encodeURIComponent(JSON.stringify([{ member: 'provider', operator: 'equals', values: ['anthropic'] }]));
    const { rows, header } = await csvOf(`/v1/exports/breakdown?measures=calls&by=step&limit=1&filters=${filters}&columns=label,calls,other`);
    expect(header).toEqual(['label', 'calls', 'other']);
    expect(rows).toEqual([
      { label: 'Total', calls: '4', other: 'false' },
      { label: 'plan', calls: '2', other: 'false' }, // anthropic calls: plan 2, implement 1, review 1
      { label: 'Other (2)', calls: '2', other: 'true' },
    ]);
  });

  it('exports a timeseries as one row per point and series', async () => {
    const from = encodeURIComponent(hour(3).toISOString());
    const rows = await jsonOf(`/v1/exports/timeseries?format=json&measures=total_cost,calls&granularity=hour&by=provider&from=${from}`);
    const api = (await graphqlData(p.apiUrl, a.key, `query($from: String) { timeseries(measures: ["total_cost", "calls"], granularity: hour, by: ["provider"], timeRange: { from: $from }) {
      series { key { value } points { time measures { value } } } } }`, { from: hour(3).toISOString() })).timeseries;
    const expected = api.series.flatMap((s: any) => s.points.map((pt: any) => ({ time: pt.time, provider: s.key[0].value, total_cost: pt.measures[0].value, calls: pt.measures[1].value })));
    expect(rows).toHaveLength(expected.length);
    expect(new Set(rows.map((r) => JSON.stringify(r)))).toEqual(new Set(expected.map((r: unknown) => JSON.stringify(r))));
    expect(rows.map((r) => r.time)).toEqual([...rows.map((r) => r.time)].sort());
    const { header } = await csvOf(`/v1/exports/timeseries?measures=calls&granularity=day&from=${from}`);
    expect(header).toEqual(['time', 'calls']);
  });
});

describe('events exports', () => {
  it('exports every event with exact money, UTF-8 and CSV quoting intact', async () => {
    const { rows, text } = await csvOf('/v1/exports/events');
    expect(rows).toHaveLength(8);
    const stored = await p.pool.query('SELECT event_id::text, total_cost::text, tags FROM usage_events WHERE workspace_id = $1', [a.workspaceId]);
    for (const s of stored.rows) {
      const row = rows.find((r) => r.event_id === s.event_id)!;
      expect(row.total_cost).toBe(s.total_cost ?? '');
      expect(JSON.parse(row.tags!)).toEqual(s.tags);
    }
    expect(JSON.parse(rows.find((r) => r.tags!.includes('note'))!.tags!).note).toBe(HOSTILE);
    expect(text).toContain('""note""'); // RFC 4180: quotes doubled inside a quoted field
    expect(rows.find((r) => r.model === 'gpt-4o')).toMatchObject({ total_cost: '0.123456789', price_source: 'supplied' });
    expect(rows.find((r) => r.model === 'mystery-model-9')).toMatchObject({ total_cost: '', unpriced: 'true' });
    // Newest first, as the events query.
    expect(rows.map((r) => r.occurred_at)).toEqual([...rows.map((r) => r.occurred_at)].sort().reverse());
    expect(rows[0]!.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z$/);
  });

  it('writes in Postgres the CSV and NDJSON the row encoder would write, cell for cell, with filters and columns', async () => {
    await expectCsvAsEncoded(a.key);
    const filters = encodeURIComponent(JSON.stringify([{ member: 'step', operator: 'equals', values: ['review', "o'neil"] }, { member: 'latency_ms', operator: 'notSet' }]));
    await expectCsvAsEncoded(a.key, `filters=${filters}&columns=total_cost,occurred_at,tags,unpriced,model&from=${encodeURIComponent(hour(1).toISOString())}`);
  });

  it('selects columns and filters, with times in the asked time zone', async () => {
    const filters = encodeURIComponent(JSON.stringify([{ member: 'step', operator: 'equals', values: ['review'] }, { member: 'kind', operator: 'equals', values: ['model_call'] }]));
    const rows = await ndjsonOf(`/v1/exports/events?format=ndjson&filters=${filters}&columns=model,total_cost,occurred_at&timezone=Asia/Kolkata`);
    expect(rows.map((r) => Object.keys(r))).toEqual(rows.map(() => ['model', 'total_cost', 'occurred_at']));
    expect(rows.map((r) => r.model).sort()).toEqual(['claude-haiku-4-5', 'gpt-4o', 'mystery-model-9', 'o3']);
    expect(rows.every((r) => String(r.occurred_at).endsWith('+05:30'))).toBe(true);
    const gpt = rows.find((r) => r.model === 'gpt-4o')!;
    expect(Date.parse(String(gpt.occurred_at))).toBe(Date.parse(at(1, 40)));
  });

  it('neutralises spreadsheet formulas in CSV cells and keeps numbers numeric', async () => {
    const c = await workspaceWithKey(p.pool, ['ingest', 'read']);
    const formulas = { user_id: '=HYPERLINK("http://evil.example","click")', customer_id: '+cmd|\'/c calc\'!A0', agent: '@SUM(A1:A9)', step: '-2+3', plan_id: '\t=1', task_id: '\r=1' };
    await ingestAndWait(p, c, [
      { occurred_at: at(1, 1), provider: 'openai', model: 'gpt-4o', usage: { input_tokens: 1, output_tokens: 1 }, cost: '0.25', ...formulas, tags: { t: '=1+1' } },
      { occurred_at: at(1, 2), kind: 'tool', cost: '0.5', user_id: '-5', customer_id: '+1.5e3', agent: 'plain' },
    ]);
    const { rows } = await csvOf('/v1/exports/events', c.key);
    const hostile = rows.find((r) => r.agent!.includes('SUM'))!;
    // As stored (ingest may trim whitespace), with the leading quote.
    const raw = (await jsonOf('/v1/exports/events?format=json', c.key)).find((r) => String(r.agent).includes('SUM'))!;
    for (const column of Object.keys(formulas)) {
      expect(String(raw[column]), column).toMatch(/^[=+\-@\t\r]/);
      expect(hostile[column], column).toBe(`'${raw[column]}`);
    }
    expect(hostile.total_cost).toBe('0.25');
    expect(JSON.parse(hostile.tags!.replace(/^'/, ''))).toEqual({ t: '=1+1' }); // tags is JSON text starting with {: left alone
    const plain = rows.find((r) => r.agent === 'plain')!;
    expect(plain).toMatchObject({ user_id: '-5', customer_id: '+1.5e3', total_cost: '0.5' });
    // Every cell a spreadsheet would evaluate is a plain number.
    for (const row of rows) for (const cell of Object.values(row)) if (/^[=+\-@\t\r]/.test(cell!)) expect(Number.isFinite(Number(cell)), cell).toBe(true);
    // Breakdown labels go through the same encoder; JSON keeps the values as they are.
    const { rows: labels } = await csvOf('/v1/exports/breakdown?measures=total_cost&by=user_id', c.key);
    expect(labels.map((r) => r.label).sort()).toEqual(["'=HYPERLINK(\"http://evil.example\",\"click\")", '-5', 'Total'].sort());
    const json = await jsonOf('/v1/exports/events?format=json&columns=user_id', c.key);
    expect(json.map((r) => r.user_id).sort()).toEqual(['-5', formulas.user_id].sort());
    await expectCsvAsEncoded(c.key);
  });

  it('never exports another workspace\'s events', async () => {
    const rowsB = await jsonOf('/v1/exports/events?format=json', b.key);
    expect(rowsB).toHaveLength(1);
    expect(rowsB[0]).toMatchObject({ user_id: 'b-only' });
    const idsA = (await jsonOf('/v1/exports/events?format=json&columns=event_id')).map((r) => r.event_id);
    expect(idsA).not.toContain(rowsB[0]!.event_id);
    const focusB = parse(await (await get('/v1/exports/focus', b.key)).text(), { columns: true }) as Array<Record<string, string>>;
    expect(new Set(focusB.map((r) => r.SubAccountId))).toEqual(new Set([b.workspaceId]));
    // A filter naming the other workspace's data finds nothing; the workspace member cannot be named.
    const res = await get(`/v1/exports/events?filters=${encodeURIComponent(JSON.stringify([{ member: 'workspace_id', operator: 'equals', values: [a.workspaceId] }]))}`, b.key);
    expect(res.status).toBe(400);
  });
});

describe('bad requests', () => {
  const cases: Array<[string, string, string]> = [
    ['/v1/exports/breakdown?measures=colour&by=model', 'measures[0]', 'UNKNOWN_MEMBER'],
    ['/v1/exports/breakdown?measures=calls&by=model,nope', 'by[1]', 'UNKNOWN_MEMBER'],
    ['/v1/exports/breakdown?measures=calls&by=model&columns=label,colour', 'columns[1]', 'UNKNOWN_COLUMN'],
    ['/v1/exports/breakdown?measures=calls&by=model&format=xlsx', 'format', 'INVALID_ARGUMENT'],
    ['/v1/exports/breakdown?measures=calls&by=model&colour=red', 'colour', 'INVALID_ARGUMENT'],
    ['/v1/exports/breakdown?measures=calls&by=model&limit=ten', 'limit', 'INVALID_ARGUMENT'],
    ['/v1/exports/timeseries?measures=calls', 'granularity', 'INVALID_ARGUMENT'],
    ['/v1/exports/events?from=yesterdayish', 'from', 'INVALID_ARGUMENT'],
    ['/v1/exports/events?filters=%5Bnot%20json', 'filters', 'INVALID_ARGUMENT'],
    [`/v1/exports/events?filters=${encodeURIComponent('[{"member":"model","operator":"like","values":["x"]}]')}`, 'filters[0].operator', 'INVALID_ARGUMENT'],
    [`/v1/exports/events?filters=${encodeURIComponent('[{"member":"latency_ms","operator":"gt","values":["fast"]}]')}`, 'filters[0].member', 'INVALID_QUERY'],
    ['/v1/exports/events?measures=calls', 'measures', 'INVALID_ARGUMENT'],
    ['/v1/exports/events?timezone=Mars/Olympus', 'timezone', 'INVALID_ARGUMENT'],
    ['/v1/exports/focus?by=model', 'by', 'INVALID_ARGUMENT'],
    ['/v1/exports/pie', 'shape', 'INVALID_ARGUMENT'],
  ];
  it.each(cases)('%s → 400 naming %s', async (path, field, code) => {
    const res = await get(path, a.key);
    const body = await res.json() as { field: string; code: string; message: string };
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_request', field, code });
    expect(body.message.startsWith(`${field}: `)).toBe(true);
  });

  it('needs a key with the read scope', async () => {
    expect((await get('/v1/exports/events')).status).toBe(401);
    const ingestOnly = await workspaceWithKey(p.pool, ['ingest']);
    expect((await get('/v1/exports/events', ingestOnly.key)).status).toBe(403);
  });
});

describe('GraphQL createExport', () => {
  const create = `mutation($input: ExportInput!) { createExport(input: $input) { url expiresAt shape format columns } }`;

  it('returns a short-lived link that streams the same export, scoped to the asking workspace', async () => {
    const input = { shape: 'events', format: 'csv', columns: ['event_id', 'model', 'total_cost'] };
    const { createExport } = await graphqlData(p.apiUrl, b.key, create, { input });
    expect(createExport).toMatchObject({ shape: 'events', format: 'csv', columns: ['event_id', 'model', 'total_cost'] });
    expect(createExport.url).toMatch(/^\/v1\/exports\/download\/[A-Za-z0-9_-]{32}$/);
    expect(Date.parse(createExport.expiresAt)).toBeGreaterThan(Date.now());
    const viaLink = await get(createExport.url); // no key: the token is the credential
    expect(viaLink.status).toBe(200);
    const linked = await viaLink.text();
    const direct = await (await get('/v1/exports/events?columns=event_id,model,total_cost', b.key)).text();
    expect(linked).toBe(direct);
    expect(parse(linked, { columns: true })).toHaveLength(1);
    expect((await get('/v1/exports/download/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
  });

  it('names the argument at fault before making a link', async () => {
    const { body } = await graphqlRequest(p.apiUrl, a.key, create, { input: { shape: 'breakdown', measures: ['calls'], by: ['model', 'colour'] } });
    expect(body.errors[0].extensions).toMatchObject({ code: 'UNKNOWN_MEMBER', field: 'by[1]' });
    const cols = await graphqlRequest(p.apiUrl, a.key, create, { input: { shape: 'focus', columns: ['BilledCost', 'Cost'] } });
    expect(cols.body.errors[0].extensions).toMatchObject({ code: 'UNKNOWN_COLUMN', field: 'columns[1]' });
  });
});

describe('FOCUS export', () => {
  it('as CSV, written by Postgres, has the row path\'s rows cell for cell (JSON goes through the row encoder)', async () => {
    for (const query of ['', `filters=${encodeURIComponent(JSON.stringify([{ member: 'plan_id', operator: 'equals', values: ['plan-1'] }]))}`, 'columns=Tags,ListCost,x_Calls,SkuPriceId']) {
      await expectFocusCsvAsRows(a.key, query);
    }
  });

  it('passes the FOCUS column rules and adds up to the API total exactly', async () => {
    const { rows, header, res } = await csvOf('/v1/exports/focus');
    expect(validateFocus(header, rows)).toEqual([]);
    const total = await apiTotal(a.key);
    for (const c of ['BilledCost', 'EffectiveCost', 'ContractedCost']) expect(sum(rows.map((r) => r[c])).toFixed()).toBe(new Decimal(total.total_cost).toFixed());
    expect(res.headers.get('x-spendgraph-unpriced-calls')).toBe('1');
    expect(rows.some((r) => r.ResourceName === 'mystery-model-9')).toBe(false);
    // Calls: every priced call counted once per group (the token-type rows of a group repeat its count).
    const groups = new Map(rows.map((r) => [`${r.ChargePeriodStart}|${r.SkuId!.split('/').slice(0, 2).join('/')}|${r.Tags}|${r.x_PriceVersion}`, r.x_Calls]));
    expect(sum([...groups.values()]).toNumber()).toBe(Number(total.calls) - 1);
  });

  it('comes in hour order, as CSV and through the row path', async () => {
    const hours = (rows: Array<Record<string, unknown>>) => rows.filter((r) => r.x_CostType === 'Direct').map((r) => String(r.ChargePeriodStart));
    const { rows } = await csvOf('/v1/exports/focus');
    const json = await ndjsonOf('/v1/exports/focus?format=ndjson');
    for (const h of [hours(rows), hours(json)]) {
      expect(new Set(h).size).toBeGreaterThan(1);
      expect(h).toEqual([...h].sort());
    }
  });

  it('has one row per hour, model, token type and tag set, with the spec\'s units and tags', async () => {
    const rows = await ndjsonOf('/v1/exports/focus?format=ndjson');
    const sonnet = rows.filter((r) => r.ResourceName === 'claude-sonnet-4-5');
    // Hour 2: plan-1 (two calls, one tag set) and plan-2 (another): input, output, cache read, cache write 5m / input, output, cache write 1h.
    expect(sonnet.map((r) => `${r.x_TokenType}:${JSON.parse(String(r.Tags)).x_spendgraph_plan_id}:${r.ConsumedQuantity}`).sort()).toEqual([
      'cache_read:plan-1:30000', 'cache_write_1h:plan-2:4000', 'cache_write_5m:plan-1:2000', 'input:plan-1:2000', 'input:plan-2:500', 'output:plan-1:400', 'output:plan-2:50',
    ]);
    const input = sonnet.find((r) => r.x_TokenType === 'input' && String(r.Tags).includes('plan-1'))!;
    expect(input).toMatchObject({
      ChargeCategory: 'Usage', ChargeFrequency: 'Usage-Based', ServiceCategory: 'AI and Machine Learning', ServiceSubcategory: 'Generative AI',
      ServiceProviderName: 'anthropic', ProviderName: 'anthropic', ConsumedUnit: 'Tokens', PricingUnit: '1M Tokens', PricingQuantity: '0.002',
      SkuId: 'anthropic/claude-sonnet-4-5/input', SubAccountId: a.workspaceId, BillingAccountId: a.workspaceId, BillingCurrency: 'USD',
      ChargePeriodStart: hour(2).toISOString().replace('.000Z', 'Z'), ChargePeriodEnd: hour(1).toISOString().replace('.000Z', 'Z'),
      ResourceId: 'anthropic/claude-sonnet-4-5', x_ListCostBasis: 'list', x_PriceSource: 'catalog', x_Calls: '2',
    });
    expect(input.ListCost).toBe(input.BilledCost);
    expect(JSON.parse(String(input.Tags))).toEqual({ team: 'search', note: HOSTILE, x_spendgraph_plan_id: 'plan-1', x_spendgraph_step: 'plan', x_spendgraph_user_id: 'ana' });
    // o3's reasoning tokens are a row of their own.
    expect(rows.find((r) => r.ResourceName === 'o3' && r.x_TokenType === 'reasoning')).toMatchObject({ ConsumedQuantity: '800' });

    // Negotiated rate: billed at the workspace's price, listed at the catalog's.
    const haiku = rows.find((r) => r.ResourceName === 'claude-haiku-4-5' && r.x_TokenType === 'input')!;
    expect(haiku).toMatchObject({ x_PriceSource: 'workspace', x_ListCostBasis: 'catalog', BilledCost: '0.005', ContractedUnitPrice: '0.5' });
    expect(new Decimal(String(haiku.ListCost)).gt(String(haiku.BilledCost))).toBe(true);
    expect(new Decimal(String(haiku.ListUnitPrice)).times(String(haiku.PricingQuantity)).toFixed()).toBe(new Decimal(String(haiku.ListCost)).toFixed());

    // A supplied total and a tool: one row each, at the cost given.
    expect(rows.find((r) => r.ResourceName === 'gpt-4o')).toMatchObject({ x_TokenType: 'all', ConsumedQuantity: '110', BilledCost: '0.123456789', PricingCategory: 'Other', x_ListCostBasis: 'billed' });
    expect(rows.find((r) => r.x_Kind === 'tool')).toMatchObject({ ConsumedUnit: 'Requests', ConsumedQuantity: '1', BilledCost: '0.25', ServiceSubcategory: 'Other (AI and Machine Learning)' });
  });

  it('splits a call for several work items between their tag sets by its shares, adding up exactly', async () => {
    const c = await workspaceWithKey(p.pool, ['ingest', 'read']);
    await ingestAndWait(p, c, [
      { occurred_at: at(1, 20), provider: 'anthropic', model: 'claude-opus-4-1', usage: { input_tokens: 3001, output_tokens: 777 },
        work_items: [{ id: 'WRK-1', share: 2 }, { id: 'WRK-2', share: 1 }] },
      { occurred_at: at(2, 25), provider: 'anthropic', model: 'claude-opus-4-1', usage: { input_tokens: 10, output_tokens: 10 }, work_item: 'WRK-1' },
    ]);
    const { rows, header } = await csvOf('/v1/exports/focus', c.key);
    expect(validateFocus(header, rows)).toEqual([]);
    await expectFocusCsvAsRows(c.key);
    // A range off day boundaries: raw events (roll-ups built by the earlier tests predate this workspace).
    const total = await apiTotal(c.key, `, timeRange: { from: "${hour(3).toISOString()}" }`);
    expect(sum(rows.map((r) => r.BilledCost)).toFixed()).toBe(new Decimal(total.total_cost).toFixed());
    const input = rows.filter((r) => r.x_TokenType === 'input');
    expect(input.map((r) => [JSON.parse(r.Tags!).x_spendgraph_work_item, r.ConsumedQuantity, r.x_Calls]).sort()).toEqual([
      ['WRK-1', '10', '1'], ['WRK-1', '2000.666666667667', '0.666666666667'], ['WRK-2', '1000.333333332333', '0.333333333333'],
    ]);
    expect(sum(input.map((r) => r.ConsumedQuantity)).toFixed()).toBe('3011');
    const groups = new Map(rows.map((r) => [`${r.ChargePeriodStart}|${r.Tags}`, r.x_Calls]));
    expect(sum([...groups.values()]).toFixed()).toBe(total.calls);
  });

  it('applies filters and the time range, and the validator catches broken rows', async () => {
    const filters = encodeURIComponent(JSON.stringify([{ member: 'plan_id', operator: 'equals', values: ['plan-1'] }]));
    const { rows, header } = await csvOf(`/v1/exports/focus?filters=${filters}&from=${encodeURIComponent(hour(3).toISOString())}`);
    expect(validateFocus(header, rows)).toEqual([]);
    const total = await apiTotal(a.key, `, filters: [{ member: "plan_id", operator: equals, values: ["plan-1"] }]`);
    expect(sum(rows.map((r) => r.BilledCost)).toFixed()).toBe(new Decimal(total.total_cost).toFixed());

    const broken = { ...rows[0]!, BilledCost: '', BillingCurrency: 'XYZ', ChargePeriodEnd: rows[0]!.ChargePeriodStart!, Tags: '{"a":{"b":1}}', ChargeCategory: 'Use' };
    const rules = validateFocus([...header, 'Colour'], [broken]).map((v) => `${v.column}: ${v.rule}`);
    expect(rules).toEqual(expect.arrayContaining([
      'Colour: a custom column must be prefixed x_', 'BilledCost: must not be null', 'BillingCurrency: must be an ISO 4217 currency code',
      'ChargePeriodEnd: must be after ChargePeriodStart', "Tags: the value of 'a' must be a string, number, boolean or null",
      expect.stringMatching(/^ChargeCategory: must be one of/),
    ]));
  });
});

describe('large exports', () => {
  let big: { workspaceId: string; key: string };

  it('streams tens of thousands of events, each once, adding up to the API total', async () => {
    big = await workspaceWithKey(p.pool, ['ingest', 'read']);
    const n = 30_000;
    const base = Date.now() - 3 * 86_400_000;
    await ingestAndWait(p, big, Array.from({ length: n }, (_, i) => ({
      id: randomUUID(), occurred_at: new Date(base + i * 1000).toISOString(), provider: 'anthropic', model: 'claude-sonnet-4-5',
      usage: { input_tokens: 100 + (i % 97), output_tokens: 10 + (i % 13) }, session_id: `s-${i % 50}`,
    })));
    const res = await get('/v1/exports/events?format=ndjson&columns=event_id,total_cost', big.key);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBeNull(); // streamed (chunked), not buffered into one body
    const ids = new Set<string>();
    let total = new Decimal(0);
    let rest = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body!) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        const row = JSON.parse(line) as { event_id: string; total_cost: string };
        ids.add(row.event_id);
        total = total.plus(row.total_cost);
      }
    }
    expect(rest).toBe('');
    expect(ids.size).toBe(n);
    // From the table: the API's daily roll-ups may predate these back-dated events by their refresh interval.
    const { rows: [stored] } = await p.pool.query('SELECT sum(total_cost)::text AS total FROM usage_events WHERE workspace_id = $1', [big.workspaceId]);
    expect(total.toFixed()).toBe(new Decimal(stored.total).toFixed());
  }, 240_000);

  it('closes the database cursor when the client goes away mid-export', async () => {
    const openCursors = async () => (await p.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle' AND query LIKE '%usage__event_id%'`)).rows[0].n as number;
    const abort = new AbortController();
    const res = await fetch(`${p.apiUrl}/v1/exports/events?format=csv`, { headers: { authorization: `Bearer ${big.key}` }, signal: abort.signal });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toMatch(/^event_id,occurred_at,/);
    abort.abort();
    await waitFor(async () => (await openCursors()) === 0, 30_000, 'the export cursor to close');
  });
});
