// A call is one call: generated calls with random work-item splits, sent through the real API,
// queue and worker, then asked through GraphQL and compared with the generator (what was sent)
// and with SQL over the raw tables. `calls`, rates, percentiles and distinct counts count calls;
// per-work-item costs add up exactly to the total.
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, graphqlData, postEvents, startPlatform, storedCount, waitFor, workspaceWithKey } from '@spendgraph/test-support/platform';

let p: Platform;
let ws: { workspaceId: string; key: string };

const ITEMS = ['WRK-1', 'WRK-2', 'WRK-3', 'WRK-4', 'WRK-5', 'OPS-9'];
const MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'];
const RANGE = { from: '2026-10-01', to: '2026-10-20T23:59:59.999' };

interface Sent { id: string; items: string[]; status: string; session: string; model: string }

/** Seeded calls: none, one (work_item) or 2–4 work items (work_items, equal or random weights). */
function generate(seed: number, n: number) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const sent: Sent[] = [];
  const events = Array.from({ length: n }, () => {
    const k = rnd() < 0.3 ? 0 : rnd() < 0.3 ? 1 : 2 + Math.floor(rnd() * 3);
    const items = [...ITEMS].sort(() => rnd() - 0.5).slice(0, k);
    const weighted = rnd() < 0.5;
    const id = randomUUID();
    const status = rnd() < 0.15 ? 'error' : 'ok';
    const session = `s-${Math.floor(rnd() * 25)}`;
    const model = pick(MODELS);
    sent.push({ id, items, status, session, model });
    return {
      id,
      occurred_at: new Date(Date.UTC(2026, 9, 1) + Math.floor(rnd() * 20 * 86_400_000)).toISOString(),
      provider: 'anthropic',
      model,
      status,
      latency_ms: 20 + Math.floor(rnd() * 9000),
      session_id: session,
      usage: { input_tokens: Math.floor(rnd() * 50_000), output_tokens: Math.floor(rnd() * 4000), cache_read_tokens: Math.floor(rnd() * 90_000) },
      // A third carry a supplied cost with 9 decimals, the others are priced from the catalog.
      ...(rnd() < 0.33 ? { cost: (rnd() * 3).toFixed(9) } : {}),
      ...(k === 1 ? { work_item: items[0] } : {}),
      ...(k > 1 ? { work_items: weighted ? items.map((id) => ({ id, share: (0.01 + rnd() * 5).toFixed(3) })) : items } : {}),
    };
  });
  return { events, sent };
}

let sent: Sent[];
let events: Array<Record<string, unknown>>;

beforeAll(async () => {
  p = await startPlatform();
  ws = await workspaceWithKey(p.pool, ['ingest', 'read']);
  const g = generate(20261202, 600);
  sent = g.sent;
  events = g.events;
  for (let i = 0; i < g.events.length; i += 200) expect((await postEvents(p.apiUrl, ws.key, g.events.slice(i, i + 200))).status).toBe(202);
  await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) === g.events.length, 30_000, 'the calls to be stored');
});
afterAll(async () => p?.stop());

const MEASURES = ['calls', 'total_cost', 'work_item_total_cost', 'work_item_calls', 'work_item_total_tokens', 'total_tokens',
  'error_rate', 'p95_latency_ms', 'distinct_sessions'];
const TREE = `query ($by: [String!]!, $limit: Int, $r: TimeRange) {
  breakdown(measures: ${JSON.stringify(MEASURES)}, by: $by, limit: $limit, timeRange: $r) {
    ...n children { ...n children { ...n } }
  }
}
fragment n on BreakdownNode { value other measures { measure value share } }`;

const tree = async (by: string[], limit?: number) => (await graphqlData(p.apiUrl, ws.key, TREE, { by, limit, r: RANGE })).breakdown;
const value = (node: any, m: string): string | null => node.measures.find((x: any) => x.measure === m).value;
const dec = (v: string | null) => new Decimal(v ?? 0);
const sumOf = (nodes: any[], m: string) => nodes.reduce((t: Decimal, n: any) => t.plus(dec(value(n, m))), new Decimal(0));

async function sql<T = any>(text: string): Promise<T[]> {
  return (await p.pool.query(text, [ws.workspaceId])).rows;
}

describe('a call for several work items is one call', () => {
  it('stores one event per call and its shares, which add up to exactly 1', async () => {
    const [{ events, allocated }] = await sql(`SELECT count(*)::int AS events,
      (SELECT count(*)::int FROM usage_event_work_items WHERE workspace_id = $1) AS allocated FROM usage_events WHERE workspace_id = $1`);
    expect(events).toBe(sent.length);
    expect(allocated).toBe(sent.filter((c) => c.items.length > 1).reduce((t, c) => t + c.items.length, 0));
    expect(await sql(`SELECT event_id FROM usage_event_work_items WHERE workspace_id = $1 GROUP BY event_id HAVING sum(share) <> 1`)).toEqual([]);
  });

  it('stores nothing twice when a batch is sent again, allocations included', async () => {
    const count = async () => (await sql(`SELECT (SELECT count(*)::int FROM usage_events WHERE workspace_id = $1) AS e,
      (SELECT count(*)::int FROM usage_event_work_items WHERE workspace_id = $1) AS a`))[0];
    const before = await count();
    // A re-sent batch with one new shared call: the batch takes the path that skips stored rows.
    const extra = { ...events[0]!, id: randomUUID(), occurred_at: '2026-09-01T00:00:00Z', work_item: undefined, work_items: ['WRK-1', 'WRK-2'] };
    expect((await postEvents(p.apiUrl, ws.key, [...events.slice(0, 200), extra])).status).toBe(202);
    await waitFor(async () => (await count()).e === before.e + 1, 30_000, 'the new call to be stored');
    expect(await count()).toEqual({ e: before.e + 1, a: before.a + 2 });
    await p.pool.query('DELETE FROM usage_event_work_items WHERE workspace_id = $1 AND event_id = $2', [ws.workspaceId, extra.id]);
    await p.pool.query('DELETE FROM usage_events WHERE workspace_id = $1 AND event_id = $2', [ws.workspaceId, extra.id]);
  });

  it('counts calls, errors, latency percentiles and sessions over calls, not over work items', async () => {
    const root = await tree([]);
    expect(Number(value(root, 'calls'))).toBe(sent.length);
    expect(Number(value(root, 'distinct_sessions'))).toBe(new Set(sent.map((c) => c.session)).size);
    const errors = sent.filter((c) => c.status !== 'ok').length;
    expect(Number(value(root, 'error_rate'))).toBeCloseTo((100 * errors) / sent.length, 9);
    const [raw] = await sql(`SELECT round(CAST(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS numeric), 3)::text AS p95,
      sum(total_cost)::text AS cost FROM usage_events WHERE workspace_id = $1`);
    expect(value(root, 'p95_latency_ms')).toBe(raw.p95);
    expect(dec(value(root, 'total_cost')).eq(raw.cost)).toBe(true);
  });

  it('allocates cost and tokens to work items so that they add up exactly to the total, equal to raw SQL per item', async () => {
    const root = await tree(['work_item']);
    const total = dec(value(root, 'total_cost'));
    // Work-item measures over all calls are the call measures; over the items they add up exactly.
    expect(dec(value(root, 'work_item_total_cost')).eq(total)).toBe(true);
    expect(dec(value(root, 'work_item_calls')).eq(sent.length)).toBe(true);
    expect(sumOf(root.children, 'work_item_total_cost').eq(total)).toBe(true);
    expect(sumOf(root.children, 'work_item_calls').eq(sent.length)).toBe(true);
    expect(sumOf(root.children, 'work_item_total_tokens').eq(dec(value(root, 'total_tokens')))).toBe(true);

    const raw = await sql(`SELECT coalesce(a.work_item, e.work_item) AS item, sum(e.total_cost * coalesce(a.share, 1))::text AS cost
        FROM usage_events e LEFT JOIN usage_event_work_items a USING (workspace_id, event_id, occurred_at)
       WHERE e.workspace_id = $1 GROUP BY 1`);
    expect(root.children).toHaveLength(raw.length);
    for (const r of raw) {
      const node = root.children.find((c: any) => c.value === r.item);
      expect(dec(value(node, 'work_item_total_cost')).eq(dec(r.cost)), `${r.item}`).toBe(true);
      // `calls` of an item: the calls done (wholly or partly) for it, each once.
      expect(Number(value(node, 'calls')), `${r.item}`).toBe(sent.filter((c) => (r.item === null ? c.items.length === 0 : c.items.includes(r.item))).length);
      // A call's full cost is in every item it was for: not additive over items, so no share of the parent.
      expect(node.measures.find((m: any) => m.measure === 'total_cost').share).toBeNull();
    }
  });

  it('keeps every level of a model › work item tree adding up, the other bucket included', async () => {
    const root = await tree(['model', 'work_item'], 3);
    expect(sumOf(root.children, 'total_cost').eq(dec(value(root, 'total_cost')))).toBe(true);
    expect(sumOf(root.children, 'calls').eq(dec(value(root, 'calls')))).toBe(true);
    for (const model of root.children) {
      expect(Number(value(model, 'calls'))).toBe(sent.filter((c) => c.model === model.value).length);
      expect(sumOf(model.children, 'work_item_total_cost').eq(dec(value(model, 'total_cost')))).toBe(true);
      const other = model.children.find((c: any) => c.other);
      const kept = model.children.filter((c: any) => !c.other).map((c: any) => c.value);
      // The other bucket's calls are asked, not subtracted: the calls of the model for any item not kept.
      expect(Number(value(other, 'calls'))).toBe(sent.filter((c) => c.model === model.value
        && (c.items.length === 0 ? !kept.includes(null) : c.items.some((i) => !kept.includes(i)))).length);
    }
  });

  it("counts one work item's calls from its allocation rows exactly as distinct calls, and a call once over several items", async () => {
    // Grouped by work item or filtered to one, `calls` is answered from the item's allocation rows
    // (packages/semantic/src/whole-calls.ts): the same figures as distinct calls in raw SQL.
    const Q = `query ($by: [String!]!, $f: [Filter!], $r: TimeRange) { breakdown(measures: ["calls", "work_item_total_cost"], by: $by, filters: $f, timeRange: $r) {
      ...n children { ...n children { ...n } } } }
      fragment n on BreakdownNode { value measures { measure value } }`;
    const ask = async (by: string[], f?: unknown[]) => (await graphqlData(p.apiUrl, ws.key, Q, { by, f, r: RANGE })).breakdown;
    const raw = await sql<{ item: string | null; session: string; calls: number }>(`SELECT coalesce(a.work_item, e.work_item) AS item, e.session_id AS session,
        count(DISTINCT e.event_id)::int AS calls
        FROM usage_events e LEFT JOIN usage_event_work_items a USING (workspace_id, event_id, occurred_at)
       WHERE e.workspace_id = $1 GROUP BY ROLLUP (1, 2)`);
    const callsOf = (item: string | null, session?: string) => raw.find((r) => r.item === item && (session === undefined ? r.session === null : r.session === session))?.calls;
    // work item › session: every level, against SQL and against what was sent.
    const root = await ask(['work_item', 'session_id']);
    expect(Number(value(root, 'calls'))).toBe(sent.length);
    for (const item of root.children) {
      expect(Number(value(item, 'calls')), `${item.value}`).toBe(callsOf(item.value));
      for (const s of item.children) expect(Number(value(s, 'calls')), `${item.value} ${s.value}`).toBe(callsOf(item.value, s.value));
    }
    // One item's page: its totals and its sessions, filtered to it.
    for (const id of ['WRK-1', 'OPS-9']) {
      const one = await ask(['session_id'], [{ member: 'work_item', operator: 'equals', values: [id] }]);
      expect(Number(value(one, 'calls')), id).toBe(sent.filter((c) => c.items.includes(id)).length);
      expect(Number(value(one, 'calls')), id).toBe(callsOf(id));
      for (const s of one.children) expect(Number(value(s, 'calls')), `${id} ${s.value}`).toBe(callsOf(id, s.value));
    }
    // Over several items a shared call still counts once: two items, and a repository (none here) for every call.
    const two = await ask([], [{ member: 'work_item', operator: 'equals', values: ['WRK-1', 'WRK-2'] }]);
    expect(Number(value(two, 'calls'))).toBe(sent.filter((c) => c.items.includes('WRK-1') || c.items.includes('WRK-2')).length);
    const repos = await ask(['work_item_repository']);
    expect(repos.children.map((c: any) => [c.value, Number(value(c, 'calls'))])).toEqual([[null, sent.length]]);
  });

  it('says in meta which dimensions fan out and which measures are allocated', async () => {
    const meta = (await graphqlData(p.apiUrl, ws.key, '{ meta { measures { name allocated } dimensions { name fansOut } } }')).meta;
    expect(meta.dimensions.filter((d: any) => d.fansOut).map((d: any) => d.name).sort())
      .toEqual(['work_item', 'work_item_repository', 'work_item_share', 'work_item_title']);
    expect(meta.measures.find((m: any) => m.name === 'work_item_total_cost').allocated).toBe(true);
    expect(meta.measures.find((m: any) => m.name === 'total_cost').allocated).toBeNull();
  });

  it('lists each call once in the event log, with its work items and their shares', async () => {
    const seen = new Map<string, any>();
    let after: string | null = null;
    do {
      const page: any = (await graphqlData(p.apiUrl, ws.key, `query ($after: String, $r: TimeRange) { events(first: 200, after: $after, timeRange: $r) {
        edges { node { id workItem workItems { id share } } } pageInfo { hasNextPage endCursor } } }`, { after, r: RANGE })).events;
      for (const { node } of page.edges) {
        expect(seen.has(node.id)).toBe(false);
        seen.set(node.id, node);
      }
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen.size).toBe(sent.length);
    for (const c of sent) {
      const node = seen.get(c.id);
      expect(node.workItems.map((w: any) => w.id)).toEqual([...c.items].sort());
      expect(node.workItem).toBe(c.items.length === 1 ? c.items[0] : null);
      expect(node.workItems.reduce((t: Decimal, w: any) => t.plus(w.share), new Decimal(0)).toFixed()).toBe(c.items.length ? '1' : '0');
    }
  });

  it("lists one work item's calls once each, newest first, page by page, as SQL over the raw tables orders them", async () => {
    for (const item of ['WRK-1', 'OPS-9']) {
      const ids: string[] = [];
      let after: string | null = null;
      do {
        const page: any = (await graphqlData(p.apiUrl, ws.key, `query ($after: String, $r: TimeRange, $f: [Filter!]) { events(first: 17, after: $after, timeRange: $r, filters: $f) {
          edges { node { id workItems { id } totalCost } } pageInfo { hasNextPage endCursor } } }`, { after, r: RANGE, f: [{ member: 'work_item', operator: 'equals', values: [item] }] })).events;
        for (const { node } of page.edges) {
          expect(node.workItems.map((w: any) => w.id)).toContain(item);
          ids.push(node.id);
        }
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      const { rows } = await p.pool.query<{ id: string }>(
        `SELECT e.event_id::text AS id FROM usage_events e
          WHERE e.workspace_id = $1 AND e.occurred_at BETWEEN $2 AND $3
            AND (e.work_item = $4 OR EXISTS (SELECT 1 FROM usage_event_work_items a WHERE a.workspace_id = e.workspace_id
                                                AND a.event_id = e.event_id AND a.occurred_at = e.occurred_at AND a.work_item = $4))
          ORDER BY e.occurred_at DESC, e.event_id::text DESC`,
        [ws.workspaceId, RANGE.from, RANGE.to, item]);
      expect(ids).toEqual(rows.map((r) => r.id));
      expect(ids.length).toBe(sent.filter((c) => c.items.includes(item)).length);
    }
  });
});
