// The read path (docs/decisions/0001-read-path.md): roll-ups never change an answer. Generated
// events and questions; every answer read through roll-ups equals the same question over raw
// events (Cube without roll-ups, and plain SQL), also after events arrive for partitions already
// built (today, back-filled days), after a repricing and after retention — before any rebuild.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '@spendgraph/test-support/global-setup';
import {
  applyRepricing, applyRetention, createPool, ensureWorkspace, insertAllocations, insertUsageEvents, requestRepricing, storeUsageEvents, type Pool, type UsageEventRow,
  type WorkItemAllocationRow,
} from '@spendgraph/db';
import { createSemanticLayer, type CubeQuery, type SemanticLayer } from '../src/index.ts';
import { at, BASE, date, row } from './fixtures.ts';
import { modelWithoutRollups, removeModelVariants } from './support.ts';
import { rollupFloor } from '../src/lambda.ts';
import { type OwnDatabase, ownDatabase } from '@spendgraph/test-support/database';

const SCHEMA = 'rp_rollups';
let pool: Pool;
let own: OwnDatabase;
let databaseUrl: string;
let rollups: SemanticLayer;
let raw: SemanticLayer;
let ws: { a: string; b: string };
/** The newest dirty mark when the roll-ups were first built. */
let builtAtSeq: number;

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.READ_PATH_SEED ?? 13);
const rand = prng(SEED);
const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** The start of this week (Monday 00:00 UTC) is BASE + 21 days; nothing here is in the future. */
const now = () => Date.now() - 60_000;
function event(workspaceId: string, occurredAt: string): UsageEventRow {
  const provider = pick(['anthropic', 'openai']);
  const cost = (Math.floor(rand() * 5_000_000) / 1_000_000).toFixed(6);
  const unpriced = rand() < 0.1;
  return row(workspaceId, {
    occurred_at: occurredAt, provider, model: pick(provider === 'openai' ? ['gpt-4o', 'gpt-4o-mini'] : ['claude-sonnet-4-5']),
    status: pick(['ok', 'ok', 'ok', 'error']), latency_ms: Math.floor(rand() * 2000),
    input_tokens: Math.floor(rand() * 5000), output_tokens: Math.floor(rand() * 900),
    total_cost: unpriced ? null : cost, input_cost: unpriced ? null : cost, unpriced, price_source: unpriced ? null : 'catalog',
    workflow: pick(['plan-execute', 'review', null]), step: pick(['plan', 'implement', 'test', null]),
    plan_id: pick(['p1', 'p2', null]), user_id: pick(['ana', 'bob', null]), feature: pick(['chat', 'search', null]),
  });
}
/** An instant `day` days after BASE at a random time (never after now). */
function instant(day: number): string {
  const t = Date.parse(at(day)) + Math.floor(rand() * 86_400_000);
  return new Date(Math.min(t, now())).toISOString();
}
const events = (workspaceId: string, days: number[], perDay: number) => days.flatMap((d) => Array.from({ length: perDay }, () => event(workspaceId, instant(d))));

/** Every measure a roll-up holds, or that is computed from its sums. */
const MEASURES = ['usage.total_cost', 'usage.calls', 'usage.total_tokens', 'usage.error_calls', 'usage.unpriced_calls', 'usage.error_rate', 'usage.avg_cost_per_call', 'usage.avg_latency_ms'];
/** Dimensions of one roll-up each (a query mixing two roll-ups' dimensions reads raw events anyway). */
const DIMENSION_SETS = [
  ['usage.provider', 'usage.model', 'usage.status'],
  ['usage.workflow', 'usage.step', 'usage.plan_id'],
  ['usage.user_id', 'usage.feature', 'usage.model'],
];

function question(): CubeQuery {
  const measures = MEASURES.filter(() => rand() < 0.4);
  if (!measures.length) measures.push('usage.total_cost');
  const set = pick(DIMENSION_SETS);
  const dimensions = set.filter(() => rand() < 0.5);
  const from = Math.floor(rand() * 22);
  const to = Math.min(from + Math.floor(rand() * 14), 22);
  const granularity = pick([undefined, 'day', 'week', 'month'] as const);
  return {
    measures,
    dimensions,
    timeDimensions: [{ dimension: 'usage.occurred_at', dateRange: [date(from), date(to)], ...(granularity ? { granularity } : {}) }],
    order: dimensions.map((d) => [d, 'asc'] as [string, 'asc']),
    limit: 5000,
  };
}
const sorted = (rows: object[]) => rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();

/** Asks `n` generated questions of both layers: every answer equal, and most of them read roll-ups. */
async function expectSameAnswers(n: number, workspaceId: string) {
  let rolled = 0;
  for (let i = 0; i < n; i++) {
    const q = question();
    const [r, e] = await Promise.all([rollups.load(q, { workspaceId }), raw.load(q, { workspaceId })]);
    expect(sorted(r.data), `seed ${SEED}, question ${i}: ${JSON.stringify(q)}`).toEqual(sorted(e.data));
    if (r.usedPreAggregations.length) rolled++;
  }
  expect(rolled).toBeGreaterThan(n / 2);
}

/** Cost and calls of one workspace over whole UTC days, straight from usage_events. */
async function sqlTotals(workspaceId: string, from: string, to: string) {
  const { rows } = await pool.query(
    `SELECT sum(total_cost)::text AS cost, count(*)::text AS calls FROM usage_events
      WHERE workspace_id = $1 AND occurred_at >= $2::date AND occurred_at < $3::date + 1`,
    [workspaceId, from, to],
  );
  return { 'usage.total_cost': rows[0].cost, 'usage.calls': rows[0].calls };
}
const TOTALS = (from: number, to: number): CubeQuery => ({
  measures: ['usage.total_cost', 'usage.calls'],
  timeDimensions: [{ dimension: 'usage.occurred_at', dateRange: [date(from), date(to)] }],
});

beforeAll(async () => {
  // A database of its own: other files' roll-up tables (built before this file's events) would
  // rightly keep the dirty marks the warming test expects to see pruned.
  own = await ownDatabase('read_path');
  databaseUrl = own.url;
  pool = createPool(databaseUrl, 2);
  ws = {
    a: (await ensureWorkspace(pool, `rp-a-${randomUUID().slice(0, 8)}`)).id,
    b: (await ensureWorkspace(pool, `rp-b-${randomUUID().slice(0, 8)}`)).id,
  };
  const days = Array.from({ length: 21 }, (_, d) => d);
  await insertUsageEvents(pool, [...events(ws.a, [...days, 21], 12), ...events(ws.b, days, 4)]);
  raw = await createSemanticLayer({ databaseUrl, modelDir: await modelWithoutRollups(), preAggregationsSchema: 'rp_raw' });
  rollups = await createSemanticLayer({ databaseUrl, preAggregationsSchema: SCHEMA });
  await rollups.warmPreAggregations();
  builtAtSeq = Number((await pool.query('SELECT coalesce(max(seq), 0) AS s FROM rollup_dirty_days')).rows[0].s);
}, 240_000);

afterAll(async () => {
  await raw?.close();
  await rollups?.close();
  await pool?.end();
  await own?.drop();
  await removeModelVariants();
});

describe('roll-ups never change an answer', () => {
  it('right after the build', async () => {
    await expectSameAnswers(40, ws.a);
    expect(await rollups.load(TOTALS(0, 21), { workspaceId: ws.a })).toMatchObject({ data: [await sqlTotals(ws.a, date(0), date(21))] });
  });

  it('when events arrive for partitions already built: today, and days back-filled weeks ago', async () => {
    const before = await rollups.load(TOTALS(0, 21), { workspaceId: ws.a });
    await insertUsageEvents(pool, events(ws.a, [21], 5)); // the current week
    await insertUsageEvents(pool, events(ws.a, [2, 3, 9], 7)); // back-filled, weeks before
    const after = await rollups.load(TOTALS(0, 21), { workspaceId: ws.a });
    expect(after.usedPreAggregations).toEqual(['usage_events.daily_totals']);
    expect(Number(after.data[0]!['usage.calls'])).toBe(Number(before.data[0]!['usage.calls']) + 26);
    expect(after.data).toEqual([await sqlTotals(ws.a, date(0), date(21))]);
    await expectSameAnswers(60, ws.a);
  });

  it('after a repricing', async () => {
    const r = await requestRepricing(pool, {
      workspaceId: ws.a, keyId: randomUUID(), reason: 'test', provider: 'openai', modelPattern: null, from: at(5), to: at(12),
    });
    const repriced = await applyRepricing(pool, r.id, () => ({
      input_cost: '0.125', output_cost: '0', cache_read_cost: '0', cache_write_5m_cost: '0', cache_write_1h_cost: '0', reasoning_cost: '0',
      total_cost: '0.125', currency: 'USD', price_source: 'workspace', price_version: 'test@2', unpriced: false,
    }));
    expect(Number(repriced.eventsChanged)).toBeGreaterThan(0);
    expect((await rollups.load(TOTALS(0, 21), { workspaceId: ws.a })).data).toEqual([await sqlTotals(ws.a, date(0), date(21))]);
    await expectSameAnswers(40, ws.a);
  });

  it('a non-additive measure (p95) does not change the total, and a tree’s levels add up', async () => {
    const range = { dimension: 'usage.occurred_at', dateRange: [date(0), date(21)] as [string, string] };
    const total = await rollups.load({ measures: ['usage.total_cost'], timeDimensions: [range] }, { workspaceId: ws.a });
    const withP95 = await rollups.load({ measures: ['usage.total_cost', 'usage.p95_latency_ms'], timeDimensions: [range] }, { workspaceId: ws.a });
    expect(total.usedPreAggregations.length).toBeGreaterThan(0);
    expect(withP95.usedPreAggregations).toEqual([]);
    expect(withP95.data[0]!['usage.total_cost']).toBe(total.data[0]!['usage.total_cost']);
    const level = async (by: string[]) =>
      (await rollups.load({ measures: ['usage.total_cost'], dimensions: by, timeDimensions: [range], limit: 5000 }, { workspaceId: ws.a })).data;
    const micros = (v: unknown) => {
      const [int, frac = ''] = String(v ?? '0').split('.');
      return BigInt(int! + frac.padEnd(6, '0'));
    };
    const sum = (rows: Array<Record<string, unknown>>) => rows.reduce((s, r) => s + micros(r['usage.total_cost']), 0n);
    const [workflows, steps, models] = await Promise.all([level(['usage.workflow']), level(['usage.workflow', 'usage.step']), level(['usage.workflow', 'usage.step', 'usage.model'])]);
    expect(sum(steps)).toBe(sum(workflows));
    expect(sum(models)).toBe(sum(workflows));
    expect(sum(workflows)).toBe(micros(total.data[0]!['usage.total_cost']));
  });

  it('the warming run rebuilds exactly the partitions written to, then prunes the marks every table has seen', async () => {
    const partition = (t: string) => t.replace(/_[0-9a-z]+_[0-9a-z]+_[0-9a-z]+$/, '');
    const tables = async () =>
      (await pool.query<{ t: string }>('SELECT tablename AS t FROM pg_tables WHERE schemaname = $1', [SCHEMA])).rows.map((r) => r.t);
    const before = new Set(await tables());
    const { built, prunedDirtyMarks } = await rollups.warmPreAggregations();
    const rebuilt = built.filter((t) => !before.has(t.split('.')[1]!)).map(partition);
    // Exactly the (weekly) partitions of the days written to since the build: back-filled, repriced and today's.
    const { rows } = await pool.query<{ d: string }>(
      `SELECT DISTINCT to_char(date_trunc('week', day), 'YYYYMMDD') AS d FROM rollup_dirty_days WHERE seq > $1 AND day <= current_date`, [builtAtSeq]);
    const days = (ts: string[]) => new Set(ts.map((t) => t.slice(-8)));
    expect(days(rebuilt)).toEqual(new Set(rows.map((r) => r.d)));
    const rollupNames = new Set(built.map((t) => /usage_events_([a-z_]+?)\d{8}/.exec(t)?.[1]));
    expect(rebuilt).toHaveLength(rows.length * rollupNames.size); // in each roll-up
    expect(prunedDirtyMarks).toBeGreaterThan(0);
    await expectSameAnswers(30, ws.a);
  });

  it('a warming run on another roll-up schema of the database keeps the marks this one’s tables have not seen', async () => {
    // Another deployment (or the planner's _fresh schema) warms its own tables after events arrive
    // for a workspace whose current week this layer has built; its prune must not make this layer's
    // older tables read as sealed.
    const other = await createSemanticLayer({ databaseUrl: databaseUrl, preAggregationsSchema: `${SCHEMA}_other` });
    try {
      const fresh = (await ensureWorkspace(pool, `rp-fresh-${randomUUID().slice(0, 8)}`)).id;
      await rollups.load(TOTALS(0, 21), { workspaceId: fresh }); // this layer's current week is built
      await insertUsageEvents(pool, events(fresh, [21], 3));
      await insertUsageEvents(pool, events(ws.b, [21], 1)); // a newer mark of the day: the fresh one may go
      await other.warmPreAggregations();
      const after = await rollups.load(TOTALS(0, 21), { workspaceId: fresh });
      expect(Number(after.data[0]!['usage.calls'])).toBe(3);
      expect(after.data).toEqual([await sqlTotals(fresh, date(0), date(21))]);
    } finally {
      await other.close();
    }
  });

  it('after retention removes raw events', async () => {
    await pool.query('UPDATE workspaces SET raw_retention_days = 10 WHERE id = $1', [ws.b]);
    await applyRetention(pool);
    const cutoff = Math.floor((Date.now() - BASE.getTime()) / 86_400_000) - 10; // days before it are gone
    expect((await rollups.load(TOTALS(0, 21), { workspaceId: ws.b })).data).toEqual([await sqlTotals(ws.b, date(0), date(21))]);
    expect(cutoff).toBeGreaterThan(0);
    await expectSameAnswers(30, ws.b);
  });
});

describe('history bounds', () => {
  it('an event dated 1800 neither breaks roll-ups for anyone nor goes missing from an all-time answer', async () => {
    const old = (await ensureWorkspace(pool, `rp-1800-${randomUUID().slice(0, 8)}`)).id;
    await insertUsageEvents(pool, [row(old, { occurred_at: '1800-01-01T00:00:00Z', total_cost: '1.000000' }), row(old, { occurred_at: at(3), total_cost: '2.000000' })]);
    const { built } = await rollups.warmPreAggregations();
    // Partitions start at the floor of roll-up history, not in 1800. (Asserted on their dates, not their
    // number: how many weeks there are depends on the oldest event other files stored in this database.)
    const weekBeforeFloor = new Date(rollupFloor().getTime() - 7 * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
    expect(built.length).toBeGreaterThan(0);
    expect(built.map((t) => /(\d{8})_[^.]*$/.exec(t)?.[1] ?? `0 (no date in ${t})`).filter((start) => start < weekBeforeFloor)).toEqual([]);
    const all = await rollups.load({ measures: ['usage.total_cost', 'usage.calls'] }, { workspaceId: old });
    expect(all.data).toEqual([{ 'usage.total_cost': '3.000000', 'usage.calls': '2' }]);
    const recent = await rollups.load(TOTALS(0, 21), { workspaceId: old });
    expect(recent.usedPreAggregations).toEqual(['usage_events.daily_totals']);
    expect(recent.data).toEqual([{ 'usage.total_cost': '2.000000', 'usage.calls': '1' }]);
    expect((await rollups.load(TOTALS(0, 21), { workspaceId: ws.a })).data).toEqual([await sqlTotals(ws.a, date(0), date(21))]);
  }, 180_000);
});

describe('the roll-ups\u2019 history', () => {
  it('starts at the oldest day stored, as soon as older history is stored', async () => {
    // A database of its own: the oldest day of the shared one depends on the other files.
    const db = await ownDatabase('rp_history');
    const own = createPool(db.url, 2);
    const layer = await createSemanticLayer({ databaseUrl: db.url, preAggregationsSchema: 'rp_history' });
    try {
      const w = (await ensureWorkspace(own, `rp-history-${randomUUID().slice(0, 8)}`)).id;
      const allTime = { measures: ['usage.total_cost', 'usage.calls'] };
      await insertUsageEvents(own, [row(w, { occurred_at: at(15, 9), total_cost: '1.000000' })]);
      await layer.warmPreAggregations();
      expect((await layer.load(allTime, { workspaceId: w })).data).toEqual([{ 'usage.total_cost': '1.000000', 'usage.calls': '1' }]);
      // Two weeks before the oldest day so far: an import of older history.
      await insertUsageEvents(own, [row(w, { occurred_at: at(1, 9), total_cost: '2.000000' })]);
      const weeks = await layer.load(TOTALS(0, 20), { workspaceId: w });
      expect(weeks.usedPreAggregations).toEqual(['usage_events.daily_totals']);
      expect(weeks.data).toEqual([{ 'usage.total_cost': '3.000000', 'usage.calls': '2' }]);
      expect((await layer.load(allTime, { workspaceId: w })).data).toEqual([{ 'usage.total_cost': '3.000000', 'usage.calls': '2' }]);
    } finally {
      await layer.close();
      await own.end();
      await db.drop();
    }
  }, 180_000);
});

describe('a partition built on demand', () => {
  it('holds its whole week, whatever range the query that built it asked for', async () => {
    // Cube builds a missing partition inside the query that needs it, with its SQL cut at the end
    // of that query's range; the table then stood for the whole week, sealed.
    const layer = await createSemanticLayer({ databaseUrl: databaseUrl, preAggregationsSchema: `${SCHEMA}_demand` });
    try {
      const w = (await ensureWorkspace(pool, `rp-demand-${randomUUID().slice(0, 8)}`)).id;
      // The Tuesday and the Friday of a past week (BASE is a Monday).
      await insertUsageEvents(pool, [row(w, { occurred_at: at(15, 9), total_cost: '1.000000' }), row(w, { occurred_at: at(18, 9), total_cost: '2.000000' })]);
      const mondayToWednesday = await layer.load(TOTALS(14, 16), { workspaceId: w }); // builds that week's partition
      expect(mondayToWednesday.usedPreAggregations).toEqual(['usage_events.daily_totals']);
      expect(mondayToWednesday.data).toEqual([{ 'usage.total_cost': '1.000000', 'usage.calls': '1' }]);
      const week = await layer.load(TOTALS(14, 20), { workspaceId: w });
      expect(week.usedPreAggregations).toEqual(['usage_events.daily_totals']);
      expect(week.data).toEqual([{ 'usage.total_cost': '3.000000', 'usage.calls': '2' }]);
      const byModelThenAllTime = await layer.load({ measures: ['usage.calls'], dimensions: ['usage.model'], timeDimensions: [{ dimension: 'usage.occurred_at', dateRange: [date(14), date(15)] }] }, { workspaceId: w });
      expect(byModelThenAllTime.data).toHaveLength(1);
      expect((await layer.load({ measures: ['usage.calls'], dimensions: ['usage.model'] }, { workspaceId: w })).data).toEqual([{ 'usage.model': null, 'usage.calls': '2' }]);
    } finally {
      await layer.close();
    }
  }, 180_000);
});

describe('dirty marks commit with the rows', () => {
  it('a batch whose days cannot be marked is not stored; stored again, it is marked', async () => {
    const w = (await ensureWorkspace(pool, `rp-tx-${randomUUID().slice(0, 8)}`)).id;
    const batch = [row(w, { occurred_at: at(4, 5), total_cost: '1.000000' })];
    await pool.query('ALTER FUNCTION mark_rollup_days_dirty(uuid, date[]) RENAME TO mark_rollup_days_dirty_away');
    try {
      await expect(insertUsageEvents(pool, batch)).rejects.toThrow(/mark_rollup_days_dirty/);
    } finally {
      await pool.query('ALTER FUNCTION mark_rollup_days_dirty_away(uuid, date[]) RENAME TO mark_rollup_days_dirty');
    }
    const count = async (sql: string) => Number((await pool.query(sql, [w])).rows[0].n);
    expect(await count('SELECT count(*) AS n FROM usage_events WHERE workspace_id = $1')).toBe(0);
    expect(await insertUsageEvents(pool, batch)).toBe(1);
    expect(await count('SELECT count(*) AS n FROM rollup_dirty_days WHERE workspace_id = $1')).toBe(1);
    expect((await rollups.load(TOTALS(0, 21), { workspaceId: w })).data).toEqual([{ 'usage.total_cost': '1.000000', 'usage.calls': '1' }]);
  });
});

describe('per-day sealing inside a weekly partition', () => {
  /** Stores a copy of one of the workspace's events on `day` without marking the day dirty (no writer does this). */
  const unmarkedCopy = (workspaceId: string, day: number) =>
    pool.query(
      `INSERT INTO usage_events SELECT (jsonb_populate_record(NULL::usage_events, to_jsonb(u) || jsonb_build_object('event_id', gen_random_uuid()))).*
         FROM usage_events u WHERE workspace_id = $1 AND occurred_at >= $2::timestamptz AND occurred_at < $2::timestamptz + interval '1 day' LIMIT 1`,
      [workspaceId, at(day)],
    );
  const CALLS_BY_DAY = (timezone: string): CubeQuery => ({
    measures: ['usage.calls', 'usage.total_cost'],
    timeDimensions: [{ dimension: 'usage.occurred_at', dateRange: [date(7), date(13)], granularity: 'day' }],
    timezone,
  });

  it('a week written to reads only its written days from raw events, the others from its roll-up, in any zone', async () => {
    const w = (await ensureWorkspace(pool, `rp-day-${randomUUID().slice(0, 8)}`)).id;
    await insertUsageEvents(pool, events(w, [6, 7, 8, 9, 10, 11, 12, 13, 14], 6));
    // A zone whose local days straddle UTC days: a dirty UTC day makes two local days dirty.
    const kolkata = await createSemanticLayer({ databaseUrl, preAggregationsSchema: 'rp_kolkata', rollupTimezones: ['Asia/Kolkata'] });
    try {
      await Promise.all([rollups.warmPreAggregations(), kolkata.warmPreAggregations()]);
      const before = { utc: await rollups.load(CALLS_BY_DAY('UTC'), { workspaceId: w }), ist: await kolkata.load(CALLS_BY_DAY('Asia/Kolkata'), { workspaceId: w }) };
      expect(before.utc.usedPreAggregations).toEqual(['usage_events.daily_totals']);
      expect(before.ist.usedPreAggregations).toEqual(['usage_events.daily_totals']);
      await unmarkedCopy(w, 8); // seen only where day 8 is read from raw events
      await unmarkedCopy(w, 12);
      await insertUsageEvents(pool, events(w, [10], 3)); // marks UTC day 10 dirty
      const calls = (r: { data: Array<Record<string, unknown>> }) => r.data.map((x) => Number(x['usage.calls']));
      const utc = calls(await rollups.load(CALLS_BY_DAY('UTC'), { workspaceId: w }));
      // UTC: day 10 (index 3) from raw events, the rest of the week from the roll-up (the unmarked copies unseen).
      expect(utc).toEqual(calls(before.utc).map((n, i) => (i === 3 ? n + 3 : n)));
      // Asia/Kolkata (+05:30): UTC day 10 touches local days 10 and 11; only those are read raw.
      const ist = await kolkata.load(CALLS_BY_DAY('Asia/Kolkata'), { workspaceId: w });
      const rawIst = await raw.load(CALLS_BY_DAY('Asia/Kolkata'), { workspaceId: w });
      expect(sorted(ist.data.filter((_, i) => i === 3 || i === 4))).toEqual(sorted(rawIst.data.filter((_, i) => i === 3 || i === 4)));
      expect(calls(ist).filter((_, i) => i !== 3 && i !== 4)).toEqual(calls(before.ist).filter((_, i) => i !== 3 && i !== 4));
      // Once every day is marked (as writers do), every answer is the raw truth again.
      await pool.query('SELECT mark_rollup_days_dirty($1, ARRAY[$2::date, $3::date])', [w, date(8), date(12)]);
      expect(sorted((await rollups.load(CALLS_BY_DAY('UTC'), { workspaceId: w })).data)).toEqual(sorted((await raw.load(CALLS_BY_DAY('UTC'), { workspaceId: w })).data));
      expect(sorted((await kolkata.load(CALLS_BY_DAY('Asia/Kolkata'), { workspaceId: w })).data)).toEqual(sorted((await raw.load(CALLS_BY_DAY('Asia/Kolkata'), { workspaceId: w })).data));
    } finally {
      await kolkata.close();
    }
  }, 240_000);
});

describe('work items', () => {
  const ITEMS = ['WRK-1', 'WRK-2', 'WRK-3'];
  /** Events for no work item, for one (usage_events.work_item), or shared by two with exact shares; stored as ingest does. */
  async function storeWorkItemEvents(workspaceId: string, days: number[], perDay: number) {
    const rows = events(workspaceId, days, perDay).map((r) => ({ ...r, session_id: pick(['s1', 's2', 's3', null]) }));
    const allocations: WorkItemAllocationRow[] = [];
    for (const r of rows) {
      const kind = rand();
      if (kind < 0.3) continue;
      if (kind < 0.7) { r.work_item = pick(ITEMS); continue; }
      const [x, y] = [...ITEMS].sort(() => rand() - 0.5);
      const share = pick(['0.5', '0.25', '0.333']);
      const rest = (1 - Number(share)).toFixed(3);
      for (const [item, s] of [[x!, share], [y!, rest]] as const) allocations.push({ workspace_id: workspaceId, event_id: r.event_id, occurred_at: r.occurred_at, work_item: item, share: s });
    }
    await storeUsageEvents(pool, rows, (client) => insertAllocations(client, allocations));
  }
  const range = { dimension: 'usage.occurred_at', dateRange: [date(0), date(20)] as [string, string] };
  /** The pages' questions: the list, one item's totals, trend and its sessions and users; and cost by model. */
  const QUESTIONS: CubeQuery[] = [
    { measures: ['usage.work_item_total_cost', 'usage.calls'], timeDimensions: [range] },
    { measures: ['usage.work_item_total_cost', 'usage.calls', 'usage.work_item_total_tokens'], dimensions: ['usage.work_item'], timeDimensions: [range] },
    ...ITEMS.flatMap((item): CubeQuery[] => {
      const filters = [{ member: 'usage.work_item', operator: 'equals' as const, values: [item] }];
      return [
        { measures: ['usage.work_item_total_cost', 'usage.calls'], filters, timeDimensions: [range] },
        { measures: ['usage.work_item_total_cost'], filters, timeDimensions: [{ ...range, granularity: 'day' as const }] },
        { measures: ['usage.work_item_total_cost', 'usage.calls'], dimensions: ['usage.session_id'], filters, timeDimensions: [range] },
        { measures: ['usage.work_item_total_cost', 'usage.calls'], dimensions: ['usage.user_id'], filters, timeDimensions: [range] },
      ];
    }),
    { measures: ['usage.work_item_total_cost', 'usage.calls'], dimensions: ['usage.model'], timeDimensions: [range] },
  ];
  /** Every answer from the work item roll-ups equals the raw one; cost and calls per work item equal plain SQL (a shared call counts once in all). */
  async function expectExact(workspaceId: string) {
    for (const q of QUESTIONS) {
      const [r, e] = await Promise.all([rollups.load(q, { workspaceId }), raw.load(q, { workspaceId })]);
      // By model: no roll-up holds it with work items; calls still counted from shares.
      if (!q.dimensions?.includes('usage.model')) expect(r.usedPreAggregations, JSON.stringify(q)).not.toEqual([]);
      expect(sorted(r.data), JSON.stringify(q)).toEqual(sorted(e.data));
    }
    const { rows } = await pool.query(
      `SELECT coalesce(a.work_item, e.work_item) AS item, sum(e.total_cost * e.fx_rate * coalesce(a.share, 1)) AS cost, count(*) AS calls
         FROM usage_events e LEFT JOIN usage_event_work_items a USING (workspace_id, event_id, occurred_at)
        WHERE e.workspace_id = $1 AND e.occurred_at >= $2::date AND e.occurred_at < $3::date + 1 GROUP BY 1`,
      [workspaceId, date(0), date(20)],
    );
    const list = await rollups.load(QUESTIONS[1]!, { workspaceId });
    const money = (v: unknown) => (v === null || v === undefined ? null : Number(v).toFixed(8));
    expect(list.data.map((x) => [x['usage.work_item'], money(x['usage.work_item_total_cost']), String(x['usage.calls'])]).sort())
      .toEqual(rows.map((x) => [x.item, money(x.cost), String(x.calls)]).sort());
    const [total] = (await rollups.load(QUESTIONS[0]!, { workspaceId })).data;
    const sql = (await pool.query(`SELECT sum(total_cost * fx_rate)::numeric AS cost, count(*)::text AS calls FROM usage_events
      WHERE workspace_id = $1 AND occurred_at >= $2::date AND occurred_at < $3::date + 1`, [workspaceId, date(0), date(20)])).rows[0];
    expect({ cost: money(total!['usage.work_item_total_cost']), calls: total!['usage.calls'] }).toEqual({ cost: money(sql.cost), calls: sql.calls });
  }

  it('are answered from their roll-ups exactly as from raw events, also after back-filled shared calls, a repricing, a rebuild and retention', async () => {
    const w = (await ensureWorkspace(pool, `rp-wi-${randomUUID().slice(0, 8)}`)).id;
    await storeWorkItemEvents(w, Array.from({ length: 21 }, (_, d) => d), 6);
    await rollups.warmPreAggregations();
    await expectExact(w);
    await storeWorkItemEvents(w, [3, 10, 20], 5); // written to built partitions: their days read raw
    await expectExact(w);
    const r = await requestRepricing(pool, { workspaceId: w, keyId: randomUUID(), reason: 'test', provider: 'openai', modelPattern: null, from: at(2), to: at(12) });
    await applyRepricing(pool, r.id, () => ({
      input_cost: '0.125', output_cost: '0', cache_read_cost: '0', cache_write_5m_cost: '0', cache_write_1h_cost: '0', reasoning_cost: '0',
      total_cost: '0.125', currency: 'USD', price_source: 'workspace', price_version: 'test@2', unpriced: false,
    }));
    await expectExact(w);
    await rollups.warmPreAggregations();
    await expectExact(w);
    await pool.query('UPDATE workspaces SET raw_retention_days = 10 WHERE id = $1', [w]);
    await applyRetention(pool);
    await expectExact(w);
  }, 240_000);
});

describe('sessions', () => {
  /** Events of a few sessions (a session is one user's; its calls vary in agent and model), and some of none. */
  function sessionEvents(workspaceId: string, days: number[], perDay: number) {
    return events(workspaceId, days, perDay).map((r) => {
      const session = pick(['s1', 's2', 's3', 's4', null]);
      const users: Record<string, string | null> = { s1: 'ana', s2: 'ana', s3: 'bob', s4: null };
      return { ...r, session_id: session, user_id: session ? users[session] ?? null : r.user_id, agent: pick(['planner', 'coder', null]) };
    });
  }
  const range = { dimension: 'usage.occurred_at', dateRange: [date(0), date(20)] as [string, string] };
  const PER_CALL = ['usage.total_cost', 'usage.calls', 'usage.avg_cost_per_call', 'usage.error_rate'];
  const by = (dimension: string, member: string, value: string): CubeQuery => ({
    measures: ['usage.total_cost', 'usage.calls'], dimensions: [dimension], filters: [{ member, operator: 'equals', values: [value] }], timeDimensions: [range],
  });
  /** The pages' questions: the list, a session's totals, models and agents, a user's or agent's sessions, an agent's models and users. */
  const QUESTIONS: CubeQuery[] = [
    { measures: PER_CALL, dimensions: ['usage.session_id'], timeDimensions: [range] },
    ...['s1', 's3'].flatMap((s): CubeQuery[] => [
      { measures: PER_CALL, filters: [{ member: 'usage.session_id', operator: 'equals', values: [s] }], timeDimensions: [range] },
      by('usage.model', 'usage.session_id', s),
      by('usage.agent', 'usage.session_id', s),
    ]),
    by('usage.session_id', 'usage.user_id', 'ana'),
    by('usage.session_id', 'usage.agent', 'planner'),
    by('usage.model', 'usage.agent', 'planner'),
    by('usage.user_id', 'usage.agent', 'coder'),
    by('usage.agent', 'usage.user_id', 'bob'),
  ];
  async function expectExact(workspaceId: string) {
    for (const q of QUESTIONS) {
      const [r, e] = await Promise.all([rollups.load(q, { workspaceId }), raw.load(q, { workspaceId })]);
      // One session's questions read its few raw rows (planning.ts); across sessions, the roll-up.
      const oneSession = q.filters?.some((f) => 'member' in f && f.member === 'usage.session_id');
      expect(r.usedPreAggregations, JSON.stringify(q)).toEqual(oneSession ? [] : ['usage_events.daily_by_session']);
      expect(sorted(r.data), JSON.stringify(q)).toEqual(sorted(e.data));
    }
    const { rows } = await pool.query(
      `SELECT session_id, sum(total_cost * fx_rate)::text AS cost, count(*)::text AS calls FROM usage_events
        WHERE workspace_id = $1 AND occurred_at >= $2::date AND occurred_at < $3::date + 1 GROUP BY 1`,
      [workspaceId, date(0), date(20)],
    );
    const list = await rollups.load(QUESTIONS[0]!, { workspaceId });
    expect(list.data).toHaveLength(5); // four sessions and none
    const money = (v: unknown) => (v === null || v === undefined ? null : Number(v).toFixed(8));
    expect(list.data.map((x) => [x['usage.session_id'], money(x['usage.total_cost']), String(x['usage.calls'])]).sort())
      .toEqual(rows.map((x) => [x.session_id, money(x.cost), x.calls]).sort());
  }
  /** Questions other roll-ups answered before daily_by_session existed still go to them. */
  const KEPT: Array<[CubeQuery, string]> = [
    [{ measures: ['usage.total_cost'], dimensions: ['usage.user_id', 'usage.model'], timeDimensions: [range] }, 'usage_events.daily_by_user'],
    [{ measures: ['usage.total_cost'], dimensions: ['usage.model'], timeDimensions: [range] }, 'usage_events.daily_by_model'],
    [{ measures: ['usage.total_cost'], dimensions: ['usage.agent'], timeDimensions: [range] }, 'usage_events.daily_by_work'],
    [{ measures: ['usage.total_cost'], dimensions: ['usage.user_id', 'usage.feature'], timeDimensions: [range] }, 'usage_events.daily_by_actor'],
  ];

  it('are answered from daily_by_session exactly as from raw events and plain SQL, also after back-filled days; other questions keep their roll-ups', async () => {
    const w = (await ensureWorkspace(pool, `rp-se-${randomUUID().slice(0, 8)}`)).id;
    await storeUsageEvents(pool, sessionEvents(w, Array.from({ length: 21 }, (_, d) => d), 8));
    await rollups.warmPreAggregations();
    await expectExact(w);
    for (const [q, rollup] of KEPT) expect((await rollups.load(q, { workspaceId: w })).usedPreAggregations, JSON.stringify(q)).toEqual([rollup]);
    await storeUsageEvents(pool, sessionEvents(w, [2, 9, 20], 6)); // written to built partitions: their days read raw
    await expectExact(w);
    await rollups.warmPreAggregations();
    await expectExact(w);
  }, 240_000);
});
