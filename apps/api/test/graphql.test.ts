// The GraphQL API against fixture data whose answers are computed here, independently of Cube,
// from the rows the real ingest path stored.
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, graphqlRequest, postEvents, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let a: { workspaceId: string; key: string };
let b: { workspaceId: string; key: string };

interface Row { event_id: string; occurred_at: Date; plan_id: string | null; step: string; model: string; total_cost: string; latency_ms: number; session_id: string }
let rowsA: Row[];

/** The API's clock: the instant `npm test` failed at on 2026-12-02 ('this month' in New York). */
const NOW = new Date('2026-12-02T10:44:00Z');

/** Deterministic fixture: costs with 6 decimals, latencies, sessions; some events without a plan. */
function fixture(seed: number, n: number, plans: string[]) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const now = NOW.getTime();
  return Array.from({ length: n }, () => {
    const plan = rnd() < 0.1 ? undefined : pick(plans);
    return {
      id: randomUUID(),
      occurred_at: new Date(now - Math.floor(rnd() * 40 * 86_400_000) - 60_000).toISOString(),
      provider: 'anthropic',
      model: pick(['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'claude-3-7-sonnet']),
      usage: { input_tokens: 100 + Math.floor(rnd() * 1000), output_tokens: Math.floor(rnd() * 300) },
      cost: (rnd() * 0.5).toFixed(6),
      latency_ms: 50 + Math.floor(rnd() * 5000),
      session_id: `s-${Math.floor(rnd() * 40)}`,
      ...(plan ? { plan_id: plan } : {}),
      step: pick(['plan', 'implement', 'review', 'test', 'fix']),
    };
  });
}

async function ingest(key: string, workspaceId: string, events: unknown[]) {
  for (let i = 0; i < events.length; i += 1000) {
    const res = await postEvents(p.apiUrl, key, events.slice(i, i + 1000));
    expect(res.status).toBe(202);
  }
  await waitFor(async () => (await storedCount(p.pool, workspaceId)) === events.length, 30_000, 'fixture to be stored');
}

function gql(key: string | undefined, query: string, variables: Record<string, unknown> = {}, path = '/graphql') {
  return graphqlRequest(p.apiUrl, key, query, variables, path);
}

async function ok(key: string, query: string, variables: Record<string, unknown> = {}, path = '/graphql') {
  const { body } = await gql(key, query, variables, path);
  expect(body.errors).toBeUndefined();
  return body;
}

beforeAll(async () => {
  p = await startPlatform({ now: NOW });
  a = await workspaceWithKey(p.pool, ['ingest', 'read']);
  b = await workspaceWithKey(p.pool, ['ingest', 'read']);
  // B uses a plan id A also uses, and one of its own.
  await Promise.all([
    ingest(a.key, a.workspaceId, fixture(1, 3000, ['plan-1', 'plan-2', 'plan-3', 'plan-4', 'plan-5'])),
    ingest(b.key, b.workspaceId, fixture(2, 600, ['plan-1', 'plan-b-secret'])),
  ]);
  rowsA = (await p.pool.query<Row>(
    'SELECT event_id, occurred_at, plan_id, step, model, total_cost::text, latency_ms, session_id FROM usage_events WHERE workspace_id = $1',
    [a.workspaceId],
  )).rows;
}, 120_000);
afterAll(async () => {
  await p?.stop();
});

// ---- independent ground truth -------------------------------------------------------------

const DIMS = { plan_id: (r: Row) => r.plan_id, step: (r: Row) => r.step, model: (r: Row) => r.model } as const;
type Dim = keyof typeof DIMS;

function truth(rows: Row[]) {
  const cost = rows.reduce((s, r) => s.plus(r.total_cost), new Decimal(0));
  return {
    total_cost: cost,
    calls: rows.length,
    avg_latency_ms: rows.reduce((s, r) => s + r.latency_ms, 0) / rows.length,
    distinct_sessions: new Set(rows.map((r) => r.session_id)).size,
  };
}

function groups(rows: Row[], dim: Dim) {
  const out = new Map<string | null, Row[]>();
  for (const r of rows) out.set(DIMS[dim](r), [...(out.get(DIMS[dim](r)) ?? []), r]);
  return [...out.entries()].sort(([, x], [, y]) => truth(y).total_cost.comparedTo(truth(x).total_cost));
}

const value = (node: any, m: string) => node.measures.find((x: any) => x.measure === m).value;

function expectNode(node: any, rows: Row[]) {
  const t = truth(rows);
  expect(new Decimal(value(node, 'total_cost')).equals(t.total_cost)).toBe(true);
  expect(Number(value(node, 'calls'))).toBe(t.calls);
  expect(Number(value(node, 'avg_latency_ms'))).toBeCloseTo(t.avg_latency_ms, 6);
  expect(Number(value(node, 'distinct_sessions'))).toBe(t.distinct_sessions);
}

/** Walks the API's tree beside the truth, top `limit` per level plus an `other` bucket. */
function expectTree(node: any, rows: Row[], dims: Dim[], limit: number | null) {
  expectNode(node, rows);
  if (!dims.length) return expect(node.children ?? []).toEqual([]);
  const [dim, ...rest] = dims;
  const all = groups(rows, dim!);
  const kept = limit === null ? all : all.slice(0, limit);
  const children = node.children.filter((c: any) => !c.other);
  expect(children.map((c: any) => c.value)).toEqual(kept.map(([v]) => v));
  kept.forEach(([, groupRows], i) => expectTree(children[i], groupRows, rest, limit));
  const other = node.children.find((c: any) => c.other);
  if (all.length > kept.length) {
    expect(other.otherCount).toBe(all.length - kept.length);
    expectNode(other, all.slice(kept.length).flatMap(([, r]) => r));
  } else {
    expect(other).toBeUndefined();
  }
  // Subtotals reconcile exactly: the children of every node add up to it.
  const sum = node.children.reduce((s: Decimal, c: any) => s.plus(value(c, 'total_cost')), new Decimal(0));
  expect(sum.toFixed()).toBe(new Decimal(value(node, 'total_cost')).toFixed());
  expect(node.children.reduce((s: number, c: any) => s + Number(value(c, 'calls')), 0)).toBe(Number(value(node, 'calls')));
}

const TREE = `query ($by: [String!]!, $limit: Int, $filters: [Filter!]) {
  breakdown(measures: ["total_cost", "calls", "avg_latency_ms", "distinct_sessions"], by: $by, limit: $limit, filters: $filters) {
    ...n children { ...n children { ...n children { ...n } } }
  }
}
fragment n on BreakdownNode { dimension value label other otherCount measures { measure value share } }`;

describe('breakdown', () => {
  it('nests plan -> step -> model and equals the ground truth at every node', async () => {
    const { data } = await ok(a.key, TREE, { by: ['plan_id', 'step', 'model'] });
    expectTree(data.breakdown, rowsA, ['plan_id', 'step', 'model'], null);
    // Events without a plan form their own group, labelled as such.
    expect(data.breakdown.children.find((c: any) => c.value === null)?.label).toBe('(none)');
  });

  it('keeps the top N per level and puts the rest in an other bucket that reconciles to the cent', async () => {
    const { data } = await ok(a.key, TREE, { by: ['plan_id', 'step', 'model'], limit: 2 });
    expectTree(data.breakdown, rowsA, ['plan_id', 'step', 'model'], 2);
  });

  it('orders children by a time measure (last_event_at), latest first, as SQL does', async () => {
    const { data } = await ok(a.key, `{ breakdown(measures: ["last_event_at", "calls"], by: ["model"]) { children { value measures { measure value } } } }`);
    const { rows } = await p.pool.query<{ model: string | null }>(
      'SELECT model FROM usage_events WHERE workspace_id = $1 GROUP BY model ORDER BY max(occurred_at) DESC, model', [a.workspaceId]);
    expect(data.breakdown.children.map((c: any) => c.value)).toEqual(rows.map((r) => r.model));
  });

  it('gives each node its share of the parent for additive measures only', async () => {
    const { data } = await ok(a.key, TREE, { by: ['plan_id'] });
    const top = data.breakdown.children[0];
    const share = top.measures.find((m: any) => m.measure === 'total_cost').share;
    expect(share).toBeCloseTo(new Decimal(value(top, 'total_cost')).div(value(data.breakdown, 'total_cost')).toNumber(), 12);
    expect(top.measures.find((m: any) => m.measure === 'avg_latency_ms').share).toBeNull();
  });

  it('answers relative ranges in the requested time zone', async () => {
    const tz = 'America/New_York';
    for (const range of ['last 7 days', 'this month']) {
      const { data } = await ok(a.key, `query ($r: String) { breakdown(measures: ["total_cost", "calls"], by: [], timeRange: { relative: $r }, timezone: "${tz}") { measures { measure value } } }`, { r: range });
      // docs/decisions: 'last 7 days' = today and the 6 days before, 'this month' = the calendar month.
      const [lo, hi] = range === 'last 7 days'
        ? [`date_trunc('day', $3::timestamptz AT TIME ZONE $2) - interval '6 days'`, `date_trunc('day', $3::timestamptz AT TIME ZONE $2) + interval '1 day'`]
        : [`date_trunc('month', $3::timestamptz AT TIME ZONE $2)`, `date_trunc('month', $3::timestamptz AT TIME ZONE $2) + interval '1 month'`];
      const { rows: [expected] } = await p.pool.query(
        `SELECT coalesce(sum(total_cost), 0)::text AS cost, count(*)::int AS calls FROM usage_events
          WHERE workspace_id = $1 AND occurred_at >= (${lo}) AT TIME ZONE $2 AND occurred_at < (${hi}) AT TIME ZONE $2`,
        [a.workspaceId, tz, NOW],
      );
      expect(Number(value(data.breakdown, 'calls'))).toBe(expected.calls);
      expect(new Decimal(value(data.breakdown, 'total_cost') ?? 0).equals(expected.cost)).toBe(true);
    }
  });
});

describe('timeseries', () => {
  it('buckets days in the requested time zone', async () => {
    const tz = 'Asia/Tokyo';
    const { data } = await ok(a.key, `{ timeseries(measures: ["total_cost"], granularity: day, timeRange: { relative: "last 7 days" }, timezone: "${tz}") { series { label points { time measures { value } } } } }`);
    const { rows } = await p.pool.query(
      `SELECT to_char(date_trunc('day', occurred_at AT TIME ZONE $2), 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS day, sum(total_cost)::text AS cost
         FROM usage_events
        WHERE workspace_id = $1
          AND occurred_at >= (date_trunc('day', $3::timestamptz AT TIME ZONE $2) - interval '6 days') AT TIME ZONE $2
          AND occurred_at < (date_trunc('day', $3::timestamptz AT TIME ZONE $2) + interval '1 day') AT TIME ZONE $2
        GROUP BY 1 ORDER BY 1`,
      [a.workspaceId, tz, NOW],
    );
    const [series] = data.timeseries.series;
    expect(series.points.map((pt: any) => [pt.time, new Decimal(pt.measures[0].value).toFixed()])).toEqual(rows.map((r) => [r.day, new Decimal(r.cost).toFixed()]));
  });
});

describe('events', () => {
  it('pages through single events, newest first, without gaps or repeats', async () => {
    const filters = [{ member: 'plan_id', operator: 'equals', values: ['plan-3'] }, { member: 'step', operator: 'equals', values: ['review'] }];
    const expected = rowsA.filter((r) => r.plan_id === 'plan-3' && r.step === 'review')
      .sort((x, y) => y.occurred_at.getTime() - x.occurred_at.getTime() || (y.event_id < x.event_id ? -1 : 1));
    const seen: any[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page++) {
      const { data } = await ok(a.key, `query ($f: [Filter!], $after: String) { events(filters: $f, first: 7, after: $after) { edges { cursor node { id occurredAt planId step totalCost costs { input } tokens { input } } } pageInfo { hasNextPage endCursor } } }`, { f: filters, after });
      seen.push(...data.events.edges.map((e: any) => e.node));
      if (!data.events.pageInfo.hasNextPage) break;
      after = data.events.pageInfo.endCursor;
    }
    expect(seen.map((e) => e.id)).toEqual(expected.map((r) => r.event_id));
    expect(seen[0]).toMatchObject({ planId: 'plan-3', step: 'review', occurredAt: expected[0]!.occurred_at.toISOString(), totalCost: expected[0]!.total_cost, costs: { input: null } });
  });

  it('pages through single events in each order (oldest first, by cost) without gaps or repeats, as SQL orders them', async () => {
    const filters = [{ member: 'plan_id', operator: 'equals', values: ['plan-2'] }, { member: 'step', operator: 'equals', values: ['test'] }];
    const sql = {
      oldest: 'occurred_at ASC, event_id ASC',
      costliest: 'total_cost DESC NULLS LAST, occurred_at DESC, event_id DESC',
      cheapest: 'total_cost ASC NULLS LAST, occurred_at DESC, event_id DESC',
    };
    for (const [order, orderBy] of Object.entries(sql)) {
      const { rows } = await p.pool.query<{ id: string }>(
        `SELECT event_id::text AS id FROM usage_events WHERE workspace_id = $1 AND plan_id = 'plan-2' AND step = 'test' ORDER BY ${orderBy}`, [a.workspaceId]);
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 100; page++) {
        const { data } = await ok(a.key, `query ($f: [Filter!], $after: String, $o: EventOrder) { events(filters: $f, first: 9, after: $after, order: $o) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, { f: filters, after, o: order });
        seen.push(...data.events.edges.map((e: any) => e.node.id));
        if (!data.events.pageInfo.hasNextPage) break;
        after = data.events.pageInfo.endCursor;
      }
      expect(rows.length).toBeGreaterThan(9);
      expect(seen, order).toEqual(rows.map((r) => r.id));
    }
    // A time cursor does not page a cost order (nor the other way round).
    const { data } = await ok(a.key, '{ events(first: 1) { pageInfo { endCursor } } }');
    const { body } = await gql(a.key, 'query ($c: String) { events(order: costliest, after: $c) { edges { cursor } } }', { c: data.events.pageInfo.endCursor });
    expect(body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'after' });
  });

  it('refuses a forged cursor', async () => {
    const { body } = await gql(a.key, '{ events(after: "bm90IGEgY3Vyc29y") { edges { cursor } } }');
    expect(body.errors[0].extensions).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'after' });
  });
});

describe('errors', () => {
  it('names an unknown member and the argument it came from', async () => {
    const { body } = await gql(a.key, '{ breakdown(measures: ["total_cost"], by: ["plan_id", "colour"]) { label } }');
    expect(body.errors[0].extensions).toMatchObject({ code: 'UNKNOWN_MEMBER', field: 'by[1]', member: 'usage.colour' });
  });

  it('refuses the hidden workspace member wherever it appears', async () => {
    const { body } = await gql(a.key, `{ breakdown(measures: ["calls"], by: [], filters: [{ member: "workspace_id", operator: equals, values: ["${b.workspaceId}"] }]) { label } }`);
    expect(body.errors[0].extensions).toMatchObject({ code: 'NOT_PUBLIC', field: 'filters[0].member' });
  });

  it('refuses a measure used as a dimension, a bad time zone or range and an oversized page', async () => {
    const cases: Array<[string, string]> = [
      ['{ breakdown(measures: ["calls"], by: ["total_cost"]) { label } }', 'by[0]'],
      ['{ breakdown(measures: ["calls"], by: [], timezone: "Mars/Olympus") { label } }', 'timezone'],
      ['{ events(first: 501) { edges { cursor } } }', 'first'],
      ['{ breakdown(measures: ["calls"], by: [], timeRange: { relative: "next week" }) { label } }', 'timeRange.relative'],
      ['{ breakdown(measures: ["calls"], by: [], timeRange: { from: "2026-12-01", to: "yesterday" }) { label } }', 'timeRange.to'],
      ['{ breakdown(measures: ["calls"], by: [], timeRange: { from: "2026-12-01", previous: true }) { label } }', 'timeRange.previous'],
    ];
    for (const [query, field] of cases) expect((await gql(a.key, query)).body.errors[0].extensions.field).toBe(field);
  });

  it('limits query depth', async () => {
    const deep = `{ breakdown(measures: ["calls"], by: []) { ${'children { '.repeat(15)}label${' }'.repeat(15)} } }`;
    const { body } = await gql(a.key, deep);
    expect(body.errors[0].message).toMatch(/depth/i);
  });

  it('answers 401 without a key and 403 for an ingest-only key', async () => {
    expect((await gql(undefined, '{ meta { measures { name } } }')).status).toBe(401);
    const ingestOnly = await workspaceWithKey(p.pool, ['ingest']);
    expect((await gql(ingestOnly.key, '{ meta { measures { name } } }')).status).toBe(403);
  });
});

describe('workspace isolation', () => {
  it('never shows B rows to A, even when A filters on B ids', async () => {
    const secret = [{ member: 'plan_id', operator: 'equals', values: ['plan-b-secret'] }];
    const tree = await ok(a.key, TREE, { by: ['plan_id'], filters: secret });
    expect(value(tree.data.breakdown, 'calls')).toBe('0');
    expect(tree.data.breakdown.children).toEqual([]);
    const ev = await ok(a.key, 'query ($f: [Filter!]) { events(filters: $f) { edges { node { id } } } }', { f: secret });
    expect(ev.data.events.edges).toEqual([]);
    const cube = await ok(a.key, '{ cube(where: { usage: { plan_id: { equals: "plan-b-secret" } } }) { usage { plan_id calls } } }', {}, '/graphql/cube');
    expect(cube.data.cube).toEqual([]);
    // plan-1 exists in both workspaces: A sees exactly its own plan-1 events.
    const shared = await ok(a.key, TREE, { by: ['plan_id'], filters: [{ member: 'plan_id', operator: 'equals', values: ['plan-1'] }] });
    expectNode(shared.data.breakdown, rowsA.filter((r) => r.plan_id === 'plan-1'));
  });

  it("gives B its own rows through Cube's generated schema", async () => {
    const { rows: [expected] } = await p.pool.query("SELECT count(*)::int AS n FROM usage_events WHERE workspace_id = $1 AND plan_id = 'plan-b-secret'", [b.workspaceId]);
    const cube = await ok(b.key, '{ cube(where: { usage: { plan_id: { equals: "plan-b-secret" } } }) { usage { plan_id calls } } }', {}, '/graphql/cube');
    expect(cube.data.cube).toEqual([{ usage: { plan_id: 'plan-b-secret', calls: expected.n } }]);
  });
});

describe('roll-ups', () => {
  it('serves a dashboard-shaped breakdown from a pre-aggregation', async () => {
    const body = await ok(a.key, '{ breakdown(measures: ["total_cost", "calls"], by: ["provider", "model"], timeRange: { relative: "last 30 days" }) { children { label } } }');
    expect(body.extensions.usedPreAggregations.length).toBeGreaterThan(0);
    // Distinct counts and percentiles are not in any roll-up: they read raw events.
    const raw = await ok(a.key, '{ breakdown(measures: ["p95_latency_ms"], by: ["model"]) { label } }');
    expect(raw.extensions.usedPreAggregations).toEqual([]);
  });

  it('answers a range off day boundaries from raw events, not from whole days of a roll-up', async () => {
    const from = new Date(NOW.getTime() - 5 * 86_400_000 - 3 * 3_600_000).toISOString(); // 5 days 3 hours ago
    const to = new Date(NOW.getTime() - 86_400_000 - 7 * 60_000).toISOString();
    const body = await ok(a.key, `{ breakdown(measures: ["total_cost", "calls"], by: ["model"], timeRange: { from: "${from}", to: "${to}" }) { measures { measure value } } }`);
    const inRange = rowsA.filter((r) => r.occurred_at >= new Date(from) && r.occurred_at <= new Date(to));
    expect(inRange.length).toBeGreaterThan(0);
    expect(Number(value(body.data.breakdown, 'calls'))).toBe(inRange.length);
    expect(new Decimal(value(body.data.breakdown, 'total_cost')).equals(truth(inRange).total_cost)).toBe(true);
    expect(body.extensions.usedPreAggregations).toEqual([]);
  });

  it("says where an answer's time went (Server-Timing: the wait for the workspace's turn, the answer)", async () => {
    const res = await fetch(`${p.apiUrl}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${a.key}` }, body: JSON.stringify({ query: '{ breakdown(measures: ["calls"], by: []) { label } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('server-timing')).toMatch(/^gate;dur=\d+(\.\d)?, answer;dur=\d+(\.\d)?$/);
  });

  it('lists the model in meta with titles, formats and additivity', async () => {
    const { data } = await ok(a.key, '{ meta { measures { name title format additive } dimensions { name type } } }');
    expect(data.meta.measures).toContainEqual(expect.objectContaining({ name: 'total_cost', format: 'currency', additive: true }));
    expect(data.meta.measures).toContainEqual(expect.objectContaining({ name: 'avg_cost_per_call', additive: false }));
    expect(data.meta.dimensions.map((d: any) => d.name)).not.toContain('workspace_id');
  });
});
