// npm run bench:export — streaming exports through the real API over BENCH_EXPORT_EVENTS
// (1 M) events of the bench workload (90 days, in a database of its own), against the peer
// measured in the same run: Postgres' own `COPY (query) TO STDOUT` of the same events.
//  (a) every event as CSV and as NDJSON, (b) FOCUS for the last 30 days as CSV (written by Postgres), and with
//  BENCH_EXPORT_ROW_PATH=1 as NDJSON (rows built in the API) for comparison.
// The API is warmed first by one small export, so that loading Cube and compiling the model on the
// first query is not counted as an export's memory (the target is about streaming).
// Prints rows/s, MB/s, the API's RSS growth during each export (sampled from /proc), the
// ratios against the targets of issue 18 and the load average, and writes
// bench/results/export.json (BENCH_RUNS runs of each). BENCH_CPU_PROF=<dir> profiles the API.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { createApiKey } from '@spendgraph/db';
import { appEnv, startApi } from './support/apps.ts';
import { benchDatabase, fmt, seedEvents } from './support/events-10m.ts';
import { BenchResults, loadAverage } from './support/results.ts';

const N = Number(process.env.BENCH_EXPORT_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const PORT = 4900 + Math.floor(Math.random() * 90);
const { dbUrl, pool, workspaceId } = await benchDatabase(process.env.BENCH_EXPORT_DATABASE ?? 'spendgraph_bench_export');
await seedEvents(pool, workspaceId, N);
const { key } = await createApiKey(pool, workspaceId, ['read']);
const focusEvents = Number((await pool.query(`SELECT count(*) FROM usage_events WHERE workspace_id = $1 AND occurred_at >= date_trunc('day', now()) - interval '30 days'`, [workspaceId])).rows[0].count);

const { child: api, url } = await startApi(
  appEnv({ databaseUrl: dbUrl, apiPort: PORT, queuePrefix: `sg-bench-export-${PORT}` }),
  PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
);
const rssMb = (pid = api.pid!) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

interface Run { rows: number; bytes: number; seconds: number; rssGrowthMb: number; apiCpuSeconds: number }

/** The API's CPU seconds so far (utime + stime): robust to a busy shared machine, unlike wall time. */
const apiCpuSeconds = () => {
  const stat = readFileSync(`/proc/${api.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

/** Reads a byte stream to its end, counting lines, while /proc says how far the API's RSS rose. */
async function drain(body: AsyncIterable<Uint8Array>, header: boolean): Promise<Run> {
  const before = rssMb();
  const cpuBefore = apiCpuSeconds();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 100);
  const t0 = performance.now();
  let bytes = 0;
  let lines = 0;
  try {
    for await (const chunk of body) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
  } finally {
    clearInterval(sampler);
  }
  return { rows: lines - (header ? 1 : 0), bytes, seconds: (performance.now() - t0) / 1000, rssGrowthMb: Math.max(peak, rssMb()) - before, apiCpuSeconds: apiCpuSeconds() - cpuBefore };
}

async function viaApi(path: string, header: boolean): Promise<Run> {
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return drain(res.body!, header);
}

/** The peer: Postgres writing the workspace's events as CSV, newest first, to this process. */
async function viaCopy(): Promise<Run> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const sql = `COPY (SELECT * FROM usage_events WHERE workspace_id = ${pg.escapeLiteral(workspaceId)} ORDER BY occurred_at DESC, event_id DESC) TO STDOUT WITH (FORMAT csv, HEADER true)`;
    return await drain(client.query(copyTo(sql)), true);
  } finally {
    await client.end();
  }
}

const results = new BenchResults('export', { events: N, focusDays: 30, focusEvents, runs: RUNS, cpuProfile: Boolean(PROFILE_DIR) });
const CASES: Array<[name: string, run: () => Promise<Run>]> = [
  ['copy', viaCopy],
  ['events_csv', () => viaApi('/v1/exports/events?format=csv', true)],
  ['events_ndjson', () => viaApi('/v1/exports/events?format=ndjson', false)],
  ['focus_csv', () => viaApi('/v1/exports/focus?relative=last%2030%20days', true)],
  // FOCUS through the row path (JSON rows built in the API), for comparison: BENCH_EXPORT_ROW_PATH=1.
  ...(process.env.BENCH_EXPORT_ROW_PATH === '1' ? [['focus_ndjson', () => viaApi('/v1/exports/focus?format=ndjson&relative=last%2030%20days', false)] as [string, () => Promise<Run>]] : []),
];

// Warm-up: the API loads Cube and compiles the model on its first query (lazy-layer.ts), some 50 MB
// that are the query engine's, not an export's. Small exports (an hour of events, both formats; today's FOCUS)
// load it, so the RSS growth measured below is the streaming's own.
for (const path of ['events?format=csv&relative=last%201%20hours', 'events?format=ndjson&relative=last%201%20hours', 'focus?relative=today']) {
  const res = await fetch(`${url}/v1/exports/${path}`, { headers: { authorization: `Bearer ${key}` } });
  if (res.status !== 200) throw new Error(`warm-up export ${path}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}
console.log(`export benchmark (API warmed by small exports first: Cube loaded, the model compiled): ${fmt(N)} events over 90 days (FOCUS: the last 30 days, ${fmt(focusEvents)} events), ${RUNS} run(s) each; ` +
  `API RSS before: ${rssMb().toFixed(0)} MB; load average ${loadAverage().join(' ')}`);
for (let r = 0; r < RUNS; r++) {
  for (const [name, run] of CASES) {
    const x = await run();
    const rate = x.rows / x.seconds;
    results.add(`${name}.rows_per_s`, rate, 'rows/s', 'higher');
    results.add(`${name}.mb_per_s`, x.bytes / 1e6 / x.seconds, 'MB/s', 'higher');
    if (name !== 'copy') results.add(`${name}.api_rss_growth_mb`, x.rssGrowthMb, 'MB', 'lower');
    if (name !== 'copy') results.add(`${name}.api_cpu_us_per_row`, (1e6 * x.apiCpuSeconds) / x.rows, 'µs', 'lower');
    if (name.startsWith('focus_')) results.add(`${name}.events_per_s`, focusEvents / x.seconds, 'events/s', 'higher');
    console.log(`${name.padEnd(14)} ${fmt(x.rows).padStart(10)} rows ${(x.bytes / 1e6).toFixed(0).padStart(5)} MB ${x.seconds.toFixed(1).padStart(6)} s ` +
      `${fmt(rate).padStart(8)} rows/s ${(x.bytes / 1e6 / x.seconds).toFixed(1).padStart(5)} MB/s` +
      `${name === 'copy' ? '' : `   API RSS +${x.rssGrowthMb.toFixed(0)} MB, CPU ${((1e6 * x.apiCpuSeconds) / x.rows).toFixed(1)} µs/row`}   load ${loadAverage()[0]}`);
  }
}

const med = (f: string) => results.figure(f)!.median;
const ratio = (label: string, value: number, target: string, ok: boolean) => console.log(`${label.padEnd(58)} ${value.toFixed(2).padStart(6)}  (target ${target}) ${ok ? 'ok' : 'MISSED'}`);
console.log('\nratios (medians of the runs):');
const csvShare = med('events_csv.rows_per_s') / med('copy.rows_per_s');
ratio('events CSV rows/s ÷ Postgres COPY rows/s', csvShare, '>= 0.50', csvShare >= 0.5);
const ndShare = med('events_ndjson.rows_per_s') / med('copy.rows_per_s');
ratio('events NDJSON rows/s ÷ Postgres COPY rows/s', ndShare, 'none', true);
const growth = Math.max(...['events_csv', 'events_ndjson', 'focus_csv'].map((n) => results.figure(`${n}.api_rss_growth_mb`)!.max));
if (results.figure('focus_ndjson.events_per_s')) ratio('FOCUS row path (NDJSON) events covered/s ÷ events CSV rows/s', med('focus_ndjson.events_per_s') / med('events_csv.rows_per_s'), 'none', true);
ratio('largest API RSS growth during an export ÷ 50 MB', growth / 50, '<= 1.00', growth <= 50);
const focusShare = med('focus_csv.events_per_s') / med('events_csv.rows_per_s');
ratio('FOCUS events covered/s ÷ events CSV rows/s', focusShare, '>= 0.50 (within 2x)', focusShare >= 0.5);
console.log(`load average at the end: ${loadAverage().join(' ')}; results: ${results.write()}`);

api.kill('SIGTERM');
await new Promise((resolve) => api.once('exit', resolve)); // the CPU profile is written on exit
await pool.end();
