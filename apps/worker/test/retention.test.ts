// Retention on a private TimescaleDB (it drops chunks, which must not touch other
// runs' data): raw events past a workspace's retention move into daily aggregates,
// emptied chunks are dropped, monthly / per-model / per-plan totals still answer
// exactly from history, and raw-event queries reaching before the horizon are refused.
import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '@spendgraph/db';
import {
  type Platform, graphqlData, graphqlRequest, ingestAndWait, startPlatform, waitFor, workspaceWithKey,
} from '@spendgraph/test-support/platform';
import { type PrivateService, privatePostgres } from '@spendgraph/test-support/private-services';

let postgres: PrivateService;
let p: Platform;
beforeAll(async () => {
  postgres = await privatePostgres('retention');
  await migrate(postgres.url);
  p = await startPlatform({ databaseUrl: postgres.url });
}, 180_000);
afterAll(async () => {
  await p?.stop();
  await postgres?.destroy();
});

const DAY = 86_400_000;
const MODELS = ['m-alpha', 'm-beta'];
const PLANS = ['plan-1', 'plan-2', 'plan-3'];

/** Events with supplied costs (exact decimals), one every few hours over the given days. */
function eventsOn(days: Date[]) {
  return days.flatMap((day, d) => Array.from({ length: 7 }, (_, i) => {
    const n = d * 7 + i;
    return {
      id: randomUUID(),
      occurred_at: new Date(day.getTime() + i * 3 * 3600_000 + 1234).toISOString(),
      provider: 'openai',
      model: MODELS[n % 2]!,
      plan_id: PLANS[n % 3]!,
      status: n % 5 === 0 ? 'error' : 'ok',
      latency_ms: 100 + n,
      usage: { input_tokens: 1000 + n, output_tokens: 10 + (n % 7) },
      cost: `${(n % 13) + 1}.${String((n * 7919) % 1_000_000).padStart(6, '0')}`,
    };
  }));
}

const days = (from: string, n: number) => Array.from({ length: n }, (_, i) => new Date(Date.parse(from) + i * DAY));
type Ev = ReturnType<typeof eventsOn>[number];

/** Expected sums per key, computed here with exact decimals. */
function totals(events: Ev[], key: (e: Ev) => string) {
  const out = new Map<string, { cost: Decimal; calls: number; errors: number; tokens: number }>();
  for (const e of events) {
    const t = out.get(key(e)) ?? { cost: new Decimal(0), calls: 0, errors: 0, tokens: 0 };
    out.set(key(e), { cost: t.cost.plus(e.cost), calls: t.calls + 1, errors: t.errors + (e.status === 'ok' ? 0 : 1), tokens: t.tokens + e.usage.input_tokens + e.usage.output_tokens });
  }
  return out;
}

/** history(...) as a map "point time|dimension values" -> measures. */
async function history(key: string, granularity: string, by: string[]) {
  const data = await graphqlData(p.apiUrl, key, `query($by: [String!], $g: HistoryGranularity!) {
    history(measures: ["total_cost", "calls", "error_calls", "total_tokens"], granularity: $g, by: $by, timeRange: { from: "2026-01-01", to: "2026-12-31" }) {
      series { key { value } points { time measures { measure value } } } } }`, { by, g: granularity });
  const out = new Map<string, Record<string, string>>();
  for (const s of data.history.series) {
    for (const pt of s.points) {
      out.set([pt.time.slice(0, 7), ...s.key.map((k: any) => k.value)].join('|'), Object.fromEntries(pt.measures.map((m: any) => [m.measure, m.value])));
    }
  }
  return out;
}

function expectSame(actual: Map<string, Record<string, string>>, expected: ReturnType<typeof totals>) {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [k, e] of expected) {
    const a = actual.get(k)!;
    expect({ k, cost: new Decimal(a.total_cost!).eq(e.cost) ? 'exact' : `${a.total_cost} != ${e.cost}` }).toEqual({ k, cost: 'exact' });
    expect({ k, calls: Number(a.calls), errors: Number(a.error_calls), tokens: Number(a.total_tokens) }).toEqual({ k, calls: e.calls, errors: e.errors, tokens: e.tokens });
  }
}

it('moves expired raw events into daily aggregates that still answer monthly, per-model and per-plan totals exactly', async () => {
  const a = await workspaceWithKey(p.pool, ['ingest', 'read', 'admin']);
  const b = await workspaceWithKey(p.pool, ['ingest', 'read']);
  const now = Date.now();
  const recentDay = new Date(Math.floor((now - DAY) / DAY) * DAY);
  // August: only A (its chunks empty out and are dropped); September: A and B; yesterday: A.
  const august = eventsOn(days('2026-08-01T00:00:00Z', 20));
  const september = eventsOn(days('2026-09-10T00:00:00Z', 6));
  const recent = eventsOn([recentDay]).filter((e) => Date.parse(e.occurred_at) < now);
  const aEvents = [...august, ...september, ...recent];
  await ingestAndWait(p, a, aEvents);
  await ingestAndWait(p, b, eventsOn(days('2026-09-12T00:00:00Z', 2)));

  const byMonthModel = totals(aEvents, (e) => `${e.occurred_at.slice(0, 7)}|${e.model}`);
  const byPlan = totals(aEvents, (e) => `2026-01|${e.plan_id}`);
  // Before retention, history reads the raw events (usage_events_by_day) and already agrees.
  expectSame(await history(a.key, 'month', ['model']), byMonthModel);

  const set = await graphqlData(p.apiUrl, a.key, 'mutation { setRawRetention(days: 30) { rawRetentionDays rawDataHorizon } }');
  expect(set.setRawRetention).toEqual({ rawRetentionDays: 30, rawDataHorizon: null });
  const reader = await graphqlRequest(p.apiUrl, b.key, 'mutation { setRawRetention(days: 1) { rawRetentionDays } }');
  expect(reader.body.errors[0].extensions.code).toBe('FORBIDDEN');

  const chunksBefore = await chunkStarts();
  // The worker's maintenance queue runs apply-retention at start.
  p.startWorker({ WORKER_QUEUES: 'maintenance', ROLLUP_WARM_EVERY_MS: '0', RETENTION_EVERY_MS: '600000' });
  const cutoff = new Date(Math.floor((now - 30 * DAY) / DAY) * DAY);
  const retention = await waitFor(async () => {
    const r = (await graphqlData(p.apiUrl, a.key, '{ retention { rawRetentionDays rawDataHorizon } }')).retention;
    return r.rawDataHorizon && r;
  }, 120_000, 'the retention run');
  expect(retention).toEqual({ rawRetentionDays: 30, rawDataHorizon: cutoff.toISOString() });

  // Raw events: A keeps only the recent ones; B (no retention) keeps all of its own.
  const count = async (ws: string) => (await p.pool.query('SELECT count(*)::int AS n, min(occurred_at) AS first FROM usage_events WHERE workspace_id = $1', [ws])).rows[0];
  expect(await count(a.workspaceId)).toEqual({ n: recent.length, first: new Date(recent[0]!.occurred_at) });
  expect((await count(b.workspaceId)).n).toBe(14);
  // The oldest chunks, emptied, are dropped (August, September 10-11: A's only) up to the first
  // that B still uses (12th); from there chunks stay, even A's emptied 14th and 15th.
  const chunksAfter = await chunkStarts();
  expect(chunksBefore.filter((c) => c < '2026-09-16')).toHaveLength(26);
  expect(chunksAfter.filter((c) => c < '2026-09-16')).toEqual(['2026-09-12', '2026-09-13', '2026-09-14', '2026-09-15']);

  // Every figure is still there, exactly, from the daily aggregates.
  expectSame(await history(a.key, 'month', ['model']), byMonthModel);
  expectSame(await history(a.key, 'year', ['plan_id']), byPlan);
  const { rows } = await p.pool.query('SELECT sum(calls)::int AS calls FROM usage_daily WHERE workspace_id = $1', [a.workspaceId]);
  expect(rows[0].calls).toBe(august.length + september.length);

  // Raw-event queries reaching before the horizon say so, naming the argument.
  for (const query of [
    '{ timeseries(measures: ["total_cost"], granularity: month, timeRange: { from: "2026-08-01" }) { granularity } }',
    '{ breakdown(measures: ["p95_latency_ms"], by: ["model"]) { label } }',
    '{ breakdown(measures: ["total_cost"], by: [], timeRange: { relative: "last 90 days" }) { label } }',
    '{ events(timeRange: { from: "2026-09-01", to: "2026-09-30" }) { edges { node { id } } } }',
  ]) {
    const { body } = await graphqlRequest(p.apiUrl, a.key, query);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'RAW_DATA_EXPIRED', field: 'timeRange', rawDataHorizon: cutoff.toISOString() });
  }
  // ... and answer from the horizon on.
  const fresh = await graphqlData(p.apiUrl, a.key, `{ breakdown(measures: ["calls"], by: [], timeRange: { from: "${cutoff.toISOString()}" }) { measures { value } } }`);
  expect(Number(fresh.breakdown.measures[0].value)).toBe(recent.length);
  // B never set a retention: nothing refused.
  await graphqlData(p.apiUrl, b.key, '{ breakdown(measures: ["calls"], by: [], timeRange: { from: "2026-08-01" }) { label } }');
}, 300_000);

async function chunkStarts(): Promise<string[]> {
  const { rows } = await p.pool.query(
    `SELECT to_char(range_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d FROM timescaledb_information.chunks WHERE hypertable_name = 'usage_events' ORDER BY 1`,
  );
  return rows.map((r) => r.d);
}
