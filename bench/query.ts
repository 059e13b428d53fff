// npm run bench:query — query latency from roll-ups vs a raw scan, in one run:
//  seeds BENCH_QUERY_EVENTS (10 M) events over 90 days (bench/support/events-10m.ts),
//  plus BENCH_QUERY_TODAY_EVENTS (0) more over today so far: a busy day's raw tail (~100 k) at a
//  smaller total (a 10 M seed takes about an hour); BENCH_QUERY_DATABASE names the database
//  (spendgraph_bench_query, shared with bench:guard: a smaller seed there replaces its 10 M),
//  warms the roll-ups as the worker's job does,
//  then measures through the real API (GraphQL over HTTP, Cube cache defeated):
//  (a) a 2-level breakdown (provider -> model) over the last 30 days
//  (b) a daily timeseries of cost over the last 30 days
//  and the same answers by a raw SQL scan of usage_events; checks both agree;
//  (c) event -> visible in a breakdown: an event is stored as the ingest worker stores it (rows and
//      dirty marks in one transaction) and the breakdown over whole days including today is asked
//      until it counts the event (p50/p95; no warming run in between);
//  (d) what the raw tail costs a query: the same breakdown with every partition sealed (after a
//      warming run) and with today's partition written to since (read from raw events);
//  (e) a 3-level breakdown (user > provider > model) over the last 30 days while events arrive,
//      each answer checked to count every event committed before it was asked (0 staleness),
//      and the raw scan of the same tree.
// Prints figures with their ratios to the targets and writes bench/results/query.json.
import { Decimal } from 'decimal.js';
import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { createApiKey, insertUsageEvents, type UsageEventRow } from '@spendgraph/db';
import { createSemanticLayer } from '@spendgraph/semantic';
import { appEnv, startApi } from './support/apps.ts';
import { benchDatabase, fmt, seedEvents, seedToday } from './support/events-10m.ts';
import { BenchResults, quantile } from './support/results.ts';

const N = Number(process.env.BENCH_QUERY_EVENTS ?? 10_000_000);
const TODAY_EXTRA = Number(process.env.BENCH_QUERY_TODAY_EVENTS ?? 0);
const RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 30);
const RAW_RUNS = Math.min(RUNS, 10); // a raw scan takes seconds; ten runs give its median well enough
const PORT = 4800 + Math.floor(Math.random() * 90);

const { dbUrl, pool, workspaceId } = await benchDatabase(process.env.BENCH_QUERY_DATABASE || undefined);



async function timed<T>(fn: (i: number) => Promise<T>, runs = RUNS): Promise<{ p50: number; p95: number; last: T }> {
  let last!: T;
  for (let i = 0; i < 3; i++) last = await fn(-1 - i); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn(i);
    ms.push(performance.now() - t0);
  }
  return { p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), last };
}

await seedEvents(pool, workspaceId, N);
await seedToday(pool, workspaceId, TODAY_EXTRA);
const semantic = await createSemanticLayer({ databaseUrl: dbUrl });
let t0 = performance.now();
const { built } = await semantic.warmPreAggregations();
console.log(`warm: ${built.length} roll-up partitions built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
await semantic.close();

const { key } = await createApiKey(pool, workspaceId, ['read']);
const api = await startApi(appEnv({ databaseUrl: dbUrl, apiPort: PORT, queuePrefix: `sg-bench-query-${PORT}` }));

async function graphql(query: string, variables: Record<string, unknown>) {
  const res = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body;
}

// A filter that excludes nothing but changes the SQL each run, so Cube's result cache cannot answer.
const uncached = (i: number) => [{ member: 'provider', operator: 'notEquals', values: [`none-${i}-${Date.now()}`] }];
const BREAKDOWN = `query ($f: [Filter!]) { breakdown(measures: ["total_cost", "calls"], by: ["provider", "model"],
  filters: $f, timeRange: { relative: "last 30 days" }) { measures { value } children { value measures { value } children { value measures { value } } } } }`;
const TIMESERIES = `query ($f: [Filter!]) { timeseries(measures: ["total_cost"], granularity: day, filters: $f,
  timeRange: { relative: "last 30 days" }) { series { points { time measures { value } } } } }`;

// The same window as 'last 30 days' in UTC (packages/periods): today so far and the 29 days before.
const WINDOW = `workspace_id = $1 AND occurred_at >= date_trunc('day', now()) - interval '29 days' AND occurred_at < date_trunc('day', now()) + interval '1 day'`;
const RAW_BREAKDOWN = `SELECT provider, model, sum(total_cost)::text AS cost, count(*)::int AS calls FROM usage_events
  WHERE ${WINDOW} GROUP BY GROUPING SETS ((), (provider), (provider, model))`;
const RAW_TIMESERIES = `SELECT to_char(date_trunc('day', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS day,
  sum(total_cost)::text AS cost FROM usage_events WHERE ${WINDOW} GROUP BY 1 ORDER BY 1`;

const rb = await timed((i) => graphql(BREAKDOWN, { f: uncached(i) }));
const rt = await timed((i) => graphql(TIMESERIES, { f: uncached(i) }));
const sb = await timed(() => pool.query(RAW_BREAKDOWN, [workspaceId]), RAW_RUNS);
const st = await timed(() => pool.query(RAW_TIMESERIES, [workspaceId]), RAW_RUNS);

// ---- (c) event -> visible, (d) the raw tail -------------------------------------
const VISIBLE_RUNS = Number(process.env.BENCH_QUERY_VISIBLE_RUNS ?? 20);
const today = new Date().toISOString().slice(0, 10);
const from30 = new Date(Date.parse(today) - 29 * 86_400_000).toISOString().slice(0, 10);
const TODAY_BREAKDOWN = `query ($f: [Filter!]) { breakdown(measures: ["total_cost", "calls"], by: ["provider", "model"], filters: $f,
  timeRange: { from: "${from30}", to: "${today}T23:59:59.999" }) { measures { value } } }`;
const sealedRun = await timed((i) => graphql(TODAY_BREAKDOWN, { f: uncached(i) }));
const calls = async () => Number((await graphql(TODAY_BREAKDOWN, { f: uncached(Math.random()) })).data.breakdown.measures[1].value);
const visible: number[] = [];
for (let i = 0; i < VISIBLE_RUNS; i++) {
  const before = await calls();
  const [row] = (await pool.query(`SELECT * FROM usage_events WHERE workspace_id = $1 ORDER BY occurred_at DESC LIMIT 1`, [workspaceId])).rows;
  // source 'bench-visible': not counted as the seeded events (a rerun must not seed again)
  const event: UsageEventRow = { ...row, event_id: randomUUID(), occurred_at: new Date().toISOString(), source: 'bench-visible' };
  await insertUsageEvents(pool, [event]);
  const stored = performance.now();
  while ((await calls()) !== before + 1) if (performance.now() - stored > 60_000) throw new Error('the event never became visible');
  visible.push(performance.now() - stored);
}
const tailRun = await timed((i) => graphql(TODAY_BREAKDOWN, { f: uncached(i) }));
const tail = (await pool.query(`SELECT count(*)::int AS n FROM usage_events WHERE workspace_id = $1 AND occurred_at >= $2::date`, [workspaceId, today])).rows[0].n;

// ---- (e) 3 levels while events arrive ------------------------------------------
const NESTED = `query ($f: [Filter!]) { breakdown(measures: ["total_cost", "calls"], by: ["user_id", "provider", "model"], filters: $f,
  timeRange: { from: "${from30}", to: "${today}T23:59:59.999" }) { measures { value }
  children { value children { value children { value measures { value } } } } } }`;
const RAW_NESTED = `SELECT user_id, provider, model, sum(total_cost)::text AS cost, count(*)::int AS calls FROM usage_events
  WHERE workspace_id = $1 AND occurred_at >= $2::date AND occurred_at < $3::date + 1 GROUP BY GROUPING SETS ((), (user_id, provider, model))`;
let arriving = true;
const [template] = (await pool.query(`SELECT * FROM usage_events WHERE workspace_id = $1 ORDER BY occurred_at DESC LIMIT 1`, [workspaceId])).rows;
const arrivals = (async () => {
  // A batch of 20 events every 100 ms, stored as the ingest worker stores them (rows and dirty marks in one transaction).
  while (arriving) {
    const batch = Array.from({ length: 20 }, () => ({ ...template, event_id: randomUUID(), occurred_at: new Date().toISOString(), source: 'bench-visible' }));
    await insertUsageEvents(pool, batch);
    await new Promise((r) => setTimeout(r, 100));
  }
})();
let stale = 0;
const nestedMs: number[] = [];
let nestedLast: any;
// Counting what was committed (a scan) is outside the timed span; the arrivals go on meanwhile.
const countCommitted = async () => Number((await pool.query(`SELECT count(*) FROM usage_events WHERE workspace_id = $1 AND occurred_at >= $2::date AND source = 'bench-visible'`, [workspaceId, from30])).rows[0].count);
const seededCalls = Number((await pool.query(`SELECT count(*) FROM usage_events WHERE workspace_id = $1 AND occurred_at >= $2::date AND source <> 'bench-visible'`, [workspaceId, from30])).rows[0].count);
for (let i = -3; i < RUNS; i++) {
  const before = seededCalls + (await countCommitted()); // every event counted here was committed before the question
  const t0 = performance.now();
  nestedLast = await graphql(NESTED, { f: uncached(i) });
  if (i >= 0) nestedMs.push(performance.now() - t0);
  const calls = Number(nestedLast.data.breakdown.measures[1].value);
  if (calls < before || calls > seededCalls + (await countCommitted())) stale++; // missed a committed event, or counted one twice
}
const nested = { p50: quantile(nestedMs, 0.5), p95: quantile(nestedMs, 0.95), last: nestedLast };
arriving = false;
await arrivals;
const rawNested = await timed(() => pool.query(RAW_NESTED, [workspaceId, from30, today]), RAW_RUNS);
api.child.kill('SIGTERM');

// The answers must agree to the last digit.
const problems: string[] = [];
const tree = rb.last.data.breakdown;
const rawTotal = sb.last.rows.find((r: any) => r.provider === null && r.model === null);
if (!new Decimal(tree.measures[0].value).equals(rawTotal.cost)) problems.push(`breakdown total ${tree.measures[0].value} != raw ${rawTotal.cost}`);
for (const p of tree.children) for (const m of p.children) {
  const raw = sb.last.rows.find((r: any) => r.provider === p.value && r.model === m.value);
  if (!raw || !new Decimal(m.measures[0].value).equals(raw.cost)) problems.push(`${p.value}/${m.value}: ${m.measures[0].value} != ${raw?.cost}`);
}
const points = rt.last.data.timeseries.series[0]?.points ?? [];
if (points.length !== st.last.rows.length) problems.push(`timeseries has ${points.length} days, raw ${st.last.rows.length}`);
points.forEach((pt: any, i: number) => {
  const raw = st.last.rows[i];
  if (!raw || pt.time !== raw.day || !new Decimal(pt.measures[0].value).equals(raw.cost)) problems.push(`day ${pt.time}: ${pt.measures[0].value} != ${raw?.cost}`);
});

const usedB = rb.last.extensions.usedPreAggregations;
const usedT = rt.last.extensions.usedPreAggregations;
const line = (name: string, roll: { p50: number; p95: number }, raw: { p50: number; p95: number }) => {
  const ratio = raw.p50 / roll.p50;
  console.log(`${name.padEnd(38)} ${roll.p50.toFixed(1).padStart(7)} ${roll.p95.toFixed(1).padStart(7)}   ${raw.p50.toFixed(0).padStart(7)} ${raw.p95.toFixed(0).padStart(7)}   ${ratio.toFixed(0).padStart(5)}x   ` +
    `${roll.p95 <= 100 ? 'PASS' : 'MISS'} p95<=100ms, ${ratio >= 20 ? 'PASS' : 'MISS'} >=20x`);
};
console.log(`\nquery benchmark: ${fmt(N)} events over 90 days${TODAY_EXTRA ? ` and ${fmt(TODAY_EXTRA)} more today` : ''}; ${RUNS} roll-up runs and ${RAW_RUNS} raw runs each after 3 warm-ups; Cube result cache defeated` +
  ` (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores)`);
console.log(`${''.padEnd(38)} roll-up (GraphQL, ms)   raw SQL scan (ms)`);
console.log(`${''.padEnd(38)}     p50     p95       p50     p95   ratio (p50)`);
line('(a) breakdown provider > model, 30 d', rb, sb);
line('(b) daily timeseries, 30 d', rt, st);
console.log(`roll-ups used: breakdown ${usedB.join(', ') || 'NONE'}; timeseries ${usedT.join(', ') || 'NONE'}`);
const vis = { p50: quantile(visible, 0.5), p95: quantile(visible, 0.95) };
console.log(`(c) event stored -> visible in a breakdown (30 d incl. today), ${visible.length} events: p50 ${vis.p50.toFixed(1)} ms, p95 ${vis.p95.toFixed(1)} ms ` +
  `(one query: no refresh interval; ${(vis.p95 / tailRun.p95).toFixed(1)}x the query's own p95)`);
console.log(`(d) the same breakdown, every partition sealed: p50 ${sealedRun.p50.toFixed(1)} ms, p95 ${sealedRun.p95.toFixed(1)} ms; ` +
  `today's partition read raw (${fmt(tail)} events today): p50 ${tailRun.p50.toFixed(1)} ms, p95 ${tailRun.p95.toFixed(1)} ms ` +
  `-> the raw tail costs ${(tailRun.p50 - sealedRun.p50).toFixed(1)} ms at p50 (${(tailRun.p50 / sealedRun.p50).toFixed(2)}x)`);
console.log(`(e) breakdown user > provider > model, 30 d, events arriving (20 per 100 ms): p50 ${nested.p50.toFixed(1)} ms, p95 ${nested.p95.toFixed(1)} ms ` +
  `(${(nested.p95 / 150).toFixed(2)} of the 150 ms target: ${nested.p95 <= 150 ? 'PASS' : 'MISS'}); stale or over-counted answers ${stale} of ${RUNS + 3} ` +
  `(target 0: ${stale === 0 ? 'PASS' : 'MISS'}); raw scan p50 ${rawNested.p50.toFixed(0)} ms (${(rawNested.p50 / nested.p50).toFixed(0)}x); roll-ups ${nested.last.extensions.usedPreAggregations.join(', ') || 'NONE'}`);
const results = new BenchResults('query', { events: N, todayExtra: TODAY_EXTRA, runs: RUNS, rawRuns: RAW_RUNS, visibleRuns: VISIBLE_RUNS, eventsToday: tail });
const record = (name: string, x: { p50: number; p95: number }) => {
  results.add(`${name}.p50_ms`, x.p50, 'ms', 'lower');
  results.add(`${name}.p95_ms`, x.p95, 'ms', 'lower');
};
record('breakdown_2_levels', rb);
record('timeseries', rt);
record('raw_breakdown_2_levels', sb);
record('event_visible', vis);
record('breakdown_sealed', sealedRun);
record('breakdown_raw_tail', tailRun);
record('breakdown_3_levels_arriving', nested);
record('raw_breakdown_3_levels', rawNested);
results.add('breakdown_3_levels_arriving.p95_of_target', nested.p95 / 150, 'ratio', 'lower');
results.add('breakdown_3_levels_arriving.stale_answers', stale, 'answers', 'lower');
console.log(`figures: ${results.write()}`);
console.log(problems.length ? `ANSWERS DIFFER:\n  ${problems.slice(0, 10).join('\n  ')}` : 'answers: roll-up and raw scan agree exactly');
await pool.end();
process.exit(problems.length || stale || !usedB.length || !usedT.length ? 1 : 0);
