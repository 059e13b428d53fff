// The period vocabulary through the API under fixed clocks: the start and end of a day, a month
// and a year, and both DST changes in New York. Each clock is an API process of its own
// (SPENDGRAPH_NOW); the expected figures come from SQL over the raw events at the same instant.
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, graphqlData, ingestAndWait, startPlatform, workspaceWithKey } from '@spendgraph/test-support/platform';

// The period vocabulary itself is checked against SQL at many more instants in
// packages/periods/test; here a few clocks check it end to end (each is an API process).
const CLOCKS = [
  '2026-12-02T10:44:00Z', // the instant `npm test` failed at: 05:44 in New York
  '2026-12-01T05:00:00Z', // the first millisecond of December in New York; still Dec 1 in Tokyo, 14:00
  '2026-03-08T07:30:00Z', // New York has just sprung forward (a 23-hour day)
];
const ZONES = ['UTC', 'America/New_York', 'Asia/Tokyo'];
const HOUR = 3_600_000;
/**
 * Absolute local ranges with a bound in the hours after a DST change (Cube read those local
 * times an hour off, and could not name 08:00-09:00 PST on 1 Nov 2026 at all), each with the
 * instant of that bound (events are placed around it).
 */
const DST_RANGES: Array<{ tz: string; from: string; to: string; near: string }> = [
  { tz: 'America/Los_Angeles', from: '2026-10-30', to: '2026-11-01T08:33:15.781', near: '2026-11-01T16:33:15.781Z' },
  { tz: 'Europe/Berlin', from: '2026-10-25T01:30:00', to: '2026-10-27', near: '2026-10-24T23:30:00Z' },
  { tz: 'America/New_York', from: '2026-03-08T03:15:00', to: '2026-03-08T05:00:00', near: '2026-03-08T07:15:00Z' },
  { tz: 'Australia/Sydney', from: '2026-10-01', to: '2026-10-04T04:20:00', near: '2026-10-03T17:20:00Z' },
];

/** SQL for each period over local time in $2 at instant $3: [from, to) as timestamptz. */
const local = `($3::timestamptz AT TIME ZONE $2::text)`;
const at = (t: string) => `((${t}) AT TIME ZONE $2::text)`;
const EXPECTED: Record<string, [string, string]> = {
  'today': [at(`date_trunc('day', ${local})`), at(`date_trunc('day', ${local}) + interval '1 day'`)],
  'yesterday': [at(`date_trunc('day', ${local}) - interval '1 day'`), at(`date_trunc('day', ${local})`)],
  'last 7 days': [at(`date_trunc('day', ${local}) - interval '6 days'`), at(`date_trunc('day', ${local}) + interval '1 day'`)],
  'last 30 days': [at(`date_trunc('day', ${local}) - interval '29 days'`), at(`date_trunc('day', ${local}) + interval '1 day'`)],
  'this week': [at(`date_trunc('week', ${local})`), at(`date_trunc('week', ${local}) + interval '1 week'`)],
  'last week': [at(`date_trunc('week', ${local}) - interval '1 week'`), at(`date_trunc('week', ${local})`)],
  'this month': [at(`date_trunc('month', ${local})`), at(`date_trunc('month', ${local}) + interval '1 month'`)],
  'last month': [at(`date_trunc('month', ${local}) - interval '1 month'`), at(`date_trunc('month', ${local})`)],
  'this year': [at(`date_trunc('year', ${local})`), at(`date_trunc('year', ${local}) + interval '1 year'`)],
  'last year': [at(`date_trunc('year', ${local}) - interval '1 year'`), at(`date_trunc('year', ${local})`)],
  'last 24 hours': [`$3::timestamptz - interval '24 hours' + interval '0' * length($2::text)`, '$3::timestamptz'],
};

let p: Platform;
let ws: { workspaceId: string; key: string };

/** Every 733 minutes over two years, plus events on each hour's edges around the clocks. */
function fixture() {
  const times: number[] = [];
  for (let t = Date.parse('2024-12-20T00:00:00Z'); t < Date.parse('2026-12-03T00:00:00Z'); t += 733 * 60_000) times.push(t);
  for (const c of CLOCKS) {
    const hour = Math.floor(Date.parse(c) / HOUR) * HOUR;
    for (let h = -30; h <= 12; h++) times.push(hour + h * HOUR - 1, hour + h * HOUR);
  }
  times.push(...CLOCKS.map((c) => Date.parse(c)));
  for (const { near } of DST_RANGES) {
    const t = Date.parse(near);
    times.push(t - 1, t, t + 1);
    for (let m = -120; m <= 120; m += 10) if (m) times.push(t + m * 60_000);
  }
  return times.map((t, i) => ({
    occurred_at: new Date(t).toISOString(), provider: 'anthropic', model: 'claude-sonnet-4-5', cost: `0.${String(i % 997).padStart(3, '0')}01`,
    latency_ms: i % 500, usage: { input_tokens: 1, output_tokens: 1 },
  }));
}

beforeAll(async () => {
  p = await startPlatform({ now: new Date('2026-12-02T12:00:00Z') }); // events up to 24 h ahead of it are accepted
  ws = await workspaceWithKey(p.pool, ['ingest', 'read']);
  await ingestAndWait(p, ws, fixture(), 120_000); // ~1,700 events: slow when the whole suite shares the machine
}, 180_000);
afterAll(async () => p?.stop());

async function expected(period: string, tz: string, now: string) {
  const [lo, hi] = EXPECTED[period]!;
  const { rows: [r] } = await p.pool.query(
    `SELECT (${lo}) AS from, (${hi}) AS to, (SELECT count(*)::int FROM usage_events WHERE workspace_id = $1 AND occurred_at >= (${lo}) AND occurred_at < (${hi})) AS calls,
            (SELECT coalesce(sum(total_cost), 0)::text FROM usage_events WHERE workspace_id = $1 AND occurred_at >= (${lo}) AND occurred_at < (${hi})) AS cost`,
    [ws.workspaceId, tz, now],
  );
  return r;
}

describe.each(CLOCKS)('at %s', (now) => {
  let api: Platform;
  beforeAll(async () => {
    api = await startPlatform({ worker: false, now: new Date(now) });
  });
  afterAll(async () => api?.stop());

  it.each(ZONES)('resolves every period in %s to the raw events of the same instants', async (tz) => {
    const names = Object.keys(EXPECTED);
    // p95 keeps the answer on raw events: this file checks periods; roll-up freshness is tested apart.
    const query = `{ ${names.map((n, i) => `p${i}: breakdown(measures: ["calls", "total_cost", "p95_latency_ms"], by: [], timeRange: { relative: "${n}" }, timezone: "${tz}") { measures { measure value } period { from to partial } }`).join(' ')} }`;
    const data = await graphqlData(api.apiUrl, ws.key, query);
    for (const [i, name] of names.entries()) {
      const got = data[`p${i}`];
      const want = await expected(name, tz, now);
      const label = `${name} in ${tz} at ${now}`;
      expect([Date.parse(got.period.from), Date.parse(got.period.to)], label).toEqual([want.from.getTime(), want.to.getTime()]);
      expect(got.period.partial, label).toBe(want.to.getTime() > Date.parse(now));
      const value = (m: string) => got.measures.find((x: any) => x.measure === m).value;
      expect(Number(value('calls') ?? 0), label).toBe(want.calls);
      expect(new Decimal(value('total_cost') ?? 0).equals(want.cost), label).toBe(true);
    }
  });

  it('compares with the period just before, and marks the buckets still filling', async () => {
    const data = await graphqlData(api.apiUrl, ws.key, `{
      prev: breakdown(measures: ["calls"], by: [], timeRange: { relative: "last 7 days", previous: true }, timezone: "America/New_York") { period { from to partial } }
      days: timeseries(measures: ["calls"], granularity: day, timeRange: { relative: "last 7 days" }, timezone: "America/New_York") { period { partial } series { points { time partial } } }
    }`);
    const week = await expected('last 7 days', 'America/New_York', now);
    expect(Date.parse(data.prev.period.to)).toBe(week.from.getTime());
    expect(data.prev.period.partial).toBe(false);
    const points = data.days.series[0].points;
    expect(points.map((pt: any) => pt.partial)).toEqual(points.map((_: unknown, i: number) => i === points.length - 1));
  });
});

describe('absolute ranges of local times near DST changes', () => {
  it.each(DST_RANGES)('$tz from $from to $to: the wall clock there, as SQL reads it', async ({ tz, from, to }) => {
    const data = await graphqlData(p.apiUrl, ws.key, `query ($r: TimeRange, $tz: String) {
      breakdown(measures: ["calls", "total_cost"], by: [], timeRange: $r, timezone: $tz) { measures { measure value } period { from to } } }`, { r: { from, to }, tz });
    // A date is its whole day; a time is that wall-clock time in the zone, `to` inclusive.
    const bound = (t: string, end: boolean) => (t.length === 10 ? `(($${end ? 3 : 2}::date${end ? " + 1" : ''})::timestamp AT TIME ZONE $4)` : `(($${end ? 3 : 2}::timestamp${end ? " + interval '1 millisecond'" : ''}) AT TIME ZONE $4)`);
    const { rows: [want] } = await p.pool.query(
      `SELECT ${bound(from, false)} AS from, ${bound(to, true)} AS to, count(*)::int AS calls, coalesce(sum(total_cost), 0)::text AS cost
         FROM usage_events WHERE workspace_id = $1 AND occurred_at >= ${bound(from, false)} AND occurred_at < ${bound(to, true)}`,
      [ws.workspaceId, from, to, tz],
    );
    const got = data.breakdown;
    expect([Date.parse(got.period.from), Date.parse(got.period.to)]).toEqual([want.from.getTime(), want.to.getTime()]);
    const value = (m: string) => got.measures.find((x: any) => x.measure === m).value;
    expect(Number(value('calls') ?? 0)).toBe(want.calls);
    expect(new Decimal(value('total_cost') ?? 0).equals(want.cost)).toBe(true);
  });
});
