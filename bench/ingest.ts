// npm run bench:ingest — ingest throughput and latency on this machine, in one run:
//  (a) raw COPY rate into the id table and the hypertable (the ceiling: the database's work only)
//  (a2) the worker's store path per job (storeUsageEvents, 1,000 rows) against one COPY into a
//      hypertable keyed by (workspace, id, time), the store before ADR 0004 — same rows, interleaved
//  (b) HTTP -> BullMQ -> worker -> hypertable rate (batched requests)
//  (c) b / a
//  (d) p50 / p95 time from POST to row visible at a steady load below capacity
//      (BENCH_STEADY_SHARE of (b)), and while (b) saturates the pipeline
//  (e) worker peak RSS, and where the CPU went during (b)
// BENCH_NODE_FLAGS adds V8 flags to the apps (e.g. --max-old-space-size=128 trades worker CPU for RSS).
// Uses its own database and queue prefix; prints figures, asserts nothing.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { USAGE_EVENT_COLUMNS, type UsageEventRow, copyLine, createApiKey, createPool, ensureWorkspace, migrate, storeUsageEvents, withTransaction } from '@spendgraph/db';
import { generateDemoEvents } from '@spendgraph/demo';
import { parseEventBatch, type UsageEventInput } from '@spendgraph/schema';
import { appEnv, startApp, untilReady } from './support/apps.ts';
import { cpuSecondsBetween, cpuSnapshot } from './support/cpu.ts';
import { BenchResults, loadAverage, quantile } from './support/results.ts';

const N = Number(process.env.BENCH_EVENTS ?? 400_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const STEADY_SHARE = Number(process.env.BENCH_STEADY_SHARE ?? 0.5);
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 20);
const PORT = 4900 + Math.floor(Math.random() * 90);

const baseUrl = process.env.DATABASE_URL!;
const dbName = process.env.BENCH_DATABASE ?? 'spendgraph_bench';
const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = Object.assign(new URL(baseUrl), { pathname: `/${dbName}` }).toString();
await migrate(dbUrl);
const pool = createPool(dbUrl);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const end = new Date('2026-11-01T00:00:00Z');
const inputs = (seed: number): UsageEventInput[] => [...generateDemoEvents({ events: N, days: 30, end, seed })];

// (a) raw COPY of already-priced rows (costs from a fixed rate: the database's work only).
async function rawCopyRate(): Promise<{ rate: number; rows: UsageEventRow[] }> {
  const ws = await ensureWorkspace(pool, 'bench-copy');
  const events = inputs(1);
  const rows: UsageEventRow[] = [];
  const lines: string[] = [];
  const ids: string[] = [];
  for (const chunk of chunks(events, 10_000)) {
    const r = parseEventBatch(chunk);
    if (!r.ok) throw new Error(JSON.stringify(r.issues[0]));
    for (const e of r.events) {
      const row: Record<string, unknown> = {
        workspace_id: ws.id, event_id: e.event_id, occurred_at: e.occurred_at, kind: e.kind, provider: e.provider,
        model: e.model, status: e.status, latency_ms: e.latency_ms,
        input_tokens: e.tokens.input, output_tokens: e.tokens.output, cache_read_tokens: e.tokens.cache_read,
        cache_write_5m_tokens: e.tokens.cache_write_5m, cache_write_1h_tokens: e.tokens.cache_write_1h, reasoning_tokens: e.tokens.reasoning,
        input_cost: '0.001', output_cost: '0.002', cache_read_cost: '0', cache_write_5m_cost: '0', cache_write_1h_cost: '0', reasoning_cost: '0',
        total_cost: '0.003', currency: 'USD', price_source: 'catalog', price_version: 'bench', unpriced: false,
        ...e.context, source: e.source, tags: JSON.stringify(e.tags),
      };
      rows.push(row as unknown as UsageEventRow);
      lines.push(copyLine(row as unknown as UsageEventRow));
      ids.push(`${ws.id}\t${e.event_id}\t${e.occurred_at}`);
    }
  }
  const t0 = performance.now();
  const idParts = [...chunks(ids, 50_000)];
  let i = 0;
  for (const part of chunks(lines, 50_000)) {
    // As the worker stores a new batch: ids (their key) and rows, in one transaction.
    await withTransaction(pool, async (client) => {
      await pipeline(Readable.from([idParts[i++]!.sort().join('\n') + '\n']), client.query(copyFrom('COPY usage_event_ids (workspace_id, event_id, occurred_at) FROM STDIN')));
      await pipeline(Readable.from([part.join('\n') + '\n']), client.query(copyFrom(`COPY usage_events (${USAGE_EVENT_COLUMNS.map(([c]) => c).join(', ')}) FROM STDIN`)));
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  return { rate: lines.length / seconds, rows };
}

async function storePathRates(rows: UsageEventRow[]) {
  const ws = await ensureWorkspace(pool, 'bench-store');
  const mine = rows.map((r) => ({ ...r, workspace_id: ws.id }));
  await pool.query(`CREATE TABLE usage_events_keyed_by_time (LIKE usage_events INCLUDING ALL, PRIMARY KEY (workspace_id, event_id, occurred_at))`);
  await pool.query(`SELECT create_hypertable('usage_events_keyed_by_time', by_range('occurred_at', INTERVAL '1 day'), create_default_indexes => false)`);
  const columns = USAGE_EVENT_COLUMNS.map(([c]) => c).join(', ');
  const time = { before: 0, now: 0 };
  const timed = async (which: keyof typeof time, work: () => Promise<unknown>) => {
    const t0 = performance.now();
    await work();
    time[which] += performance.now() - t0;
  };
  let n = 0;
  for (const batch of chunks(mine, 1_000)) {
    const before = () => pool.connect().then(async (client) => {
      await pipeline(Readable.from([batch.map(copyLine).join('\n') + '\n']), client.query(copyFrom(`COPY usage_events_keyed_by_time (${columns}) FROM STDIN`)));
      client.release();
    });
    const now = () => storeUsageEvents(pool, batch);
    const order: Array<keyof typeof time> = n++ % 2 ? ['before', 'now'] : ['now', 'before'];
    for (const which of order) await timed(which, which === 'now' ? now : before);
  }
  await pool.query('DROP TABLE usage_events_keyed_by_time');
  return { before: (mine.length * 1000) / time.before, now: (mine.length * 1000) / time.now };
}

function* chunks<T>(xs: T[], size: number): Generator<T[]> {
  for (let i = 0; i < xs.length; i += size) yield xs.slice(i, i + size);
}

function start(app: 'api' | 'worker', env: NodeJS.ProcessEnv): ChildProcess {
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of each app process there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  // startApp adds the V8 flags the apps ship with (APP_NODE_FLAGS); BENCH_NODE_FLAGS come after them.
  return startApp(app, env, [...(process.env.BENCH_NODE_FLAGS?.split(' ') ?? []), ...profile]);
}

/** VmHWM: the process's peak RSS so far; VmRSS: now. */
function rssMb(pid: number, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}


interface Apps {
  api: ChildProcess;
  workers: ChildProcess[];
  url: string;
}

async function startApps(): Promise<Apps> {
  // The worker runs the ingest queue only: its RSS is the ingest path's (upkeep jobs can run elsewhere).
  const env = appEnv({ databaseUrl: dbUrl, apiPort: PORT, queuePrefix: `sg-bench-${randomUUID()}`, extra: { WORKER_QUEUES: 'ingest', WORKER_METRICS_PORT: '0' } }); // no metrics port: parallel runs would clash
  const api = start('api', env);
  const workers = Array.from({ length: WORKERS }, () => start('worker', env));
  const url = `http://127.0.0.1:${PORT}`;
  await untilReady(`${url}/ready`, 'the API');
  return { api, workers, url };
}

async function ingestKey(name: string): Promise<{ workspaceId: string; headers: Record<string, string> }> {
  const ws = await ensureWorkspace(pool, name);
  const { key } = await createApiKey(pool, ws.id, ['ingest']);
  return { workspaceId: ws.id, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } };
}

async function post(apps: Apps, headers: Record<string, string>, body: string) {
  const res = await fetch(`${apps.url}/v1/events`, { method: 'POST', headers, body });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
}

const storedCount = async (workspaceId: string) =>
  Number((await pool.query('SELECT count(*) FROM usage_events WHERE workspace_id = $1', [workspaceId])).rows[0].count);

/** POST -> row visible, one single-event probe at a time, until `running()` turns false. */
async function probeVisibility(apps: Apps, running: () => boolean): Promise<number[]> {
  const probe = await ingestKey(`bench-probe-${randomUUID()}`);
  const latencies: number[] = [];
  while (running()) {
    const id = randomUUID();
    const t0 = performance.now();
    await post(apps, probe.headers, JSON.stringify([{ id, occurred_at: new Date().toISOString(), provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 10 } }]));
    while ((await pool.query('SELECT 1 FROM usage_events WHERE workspace_id = $1 AND event_id = $2', [probe.workspaceId, id])).rowCount === 0) await sleep(5);
    latencies.push(performance.now() - t0);
    await sleep(200);
  }
  return latencies;
}

// (b) + (e): as fast as the API takes it, CONCURRENCY requests in flight; visibility probed meanwhile
// (under saturation a backlog builds by definition, so these latencies mostly measure the backlog).
async function saturated(apps: Apps) {
  const { workspaceId, headers } = await ingestKey('bench-e2e');
  const bodies = [...chunks(inputs(2), BATCH)].map((b) => JSON.stringify(b));
  let loading = true;
  const cpuBefore = cpuSnapshot();
  const t0 = performance.now();
  const probing = probeVisibility(apps, () => loading);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) await post(apps, headers, bodies[next++]!);
    }),
  );
  const tAccepted = performance.now();
  while ((await storedCount(workspaceId)) < N) await sleep(50);
  const seconds = (performance.now() - t0) / 1000;
  loading = false;
  const latencies = await probing;
  const cpu = cpuSecondsBetween(cpuBefore, cpuSnapshot(), (pid, comm) =>
    pid === apps.api.pid ? 'api' : apps.workers.some((w) => w.pid === pid) ? 'worker' : pid === process.pid ? 'bench client' : comm === 'postgres' ? 'postgres' : comm.startsWith('redis-server') ? 'redis' : undefined,
  );
  return { rate: N / seconds, acceptRate: N / ((tAccepted - t0) / 1000), latencies, cpu, seconds };
}

// (d): a steady offered load below capacity (STEADY_SHARE of (b)), batches sent on a fixed
// schedule whatever the answers take, as production traffic arrives.
async function steady(apps: Apps, rate: number) {
  const { headers } = await ingestKey('bench-steady');
  const perRequest = Math.max(1, Math.round(rate / 10)); // 10 requests a second
  const events = inputs(3).slice(0, perRequest * 10 * STEADY_SECONDS);
  const bodies = [...chunks(events, perRequest)].map((b) => JSON.stringify(b));
  let loading = true;
  const probing = probeVisibility(apps, () => loading);
  const t0 = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < bodies.length; i++) {
    await sleep(Math.max(0, t0 + i * 100 - performance.now()));
    inFlight.push(post(apps, headers, bodies[i]!));
  }
  await Promise.all(inFlight);
  loading = false;
  return { rate: perRequest * 10, latencies: await probing };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const results = new BenchResults('ingest', { events: N, batch: BATCH, concurrency: CONCURRENCY, workers: WORKERS, steadyShare: STEADY_SHARE, steadySeconds: STEADY_SECONDS });
console.log(`ingest benchmark: ${fmt(N)} events, batches of ${fmt(BATCH)}, ${CONCURRENCY} concurrent requests, ${WORKERS} worker process(es); load average ${loadAverage().join(' ')}`);
const { rate: copy, rows } = await rawCopyRate();
console.log(`(a) raw COPY into ids + hypertable:      ${fmt(copy)} events/s`);
const store = await storePathRates(rows);
console.log(`(a2) store per 1,000-row job:             ${fmt(store.now)} events/s; one COPY keyed by time (before ADR 0004) ${fmt(store.before)} events/s; ratio ${(store.now / store.before).toFixed(2)}`);
const apps = await startApps();
await sleep(2000);
const idle = { api: rssMb(apps.api.pid!, 'VmRSS'), workers: apps.workers.map((w) => rssMb(w.pid!, 'VmRSS')) };
const e2e = await saturated(apps);
const calm = await steady(apps, e2e.rate * STEADY_SHARE);
const rss = apps.workers.map((w) => rssMb(w.pid!));
const apiRss = rssMb(apps.api.pid!);
for (const c of [apps.api, ...apps.workers]) c.kill('SIGTERM');
const ms = (xs: number[], q: number) => `${quantile(xs, q).toFixed(0)} ms`;
const share = e2e.rate / copy;
const ours = ((e2e.cpu.get('api') ?? 0) + (e2e.cpu.get('worker') ?? 0)) * 1e6 / N;
console.log(`(b) HTTP -> BullMQ -> hypertable:         ${fmt(e2e.rate)} events/s  (API accepted at ${fmt(e2e.acceptRate)} events/s)`);
console.log(`(c) b / a:                                ${(100 * share).toFixed(1)} %`);
console.log(`(d) POST -> row visible at ${fmt(calm.rate)} events/s steady: p50 ${ms(calm.latencies, 0.5)}, p95 ${ms(calm.latencies, 0.95)}  (${calm.latencies.length} probes over ${STEADY_SECONDS} s)`);
console.log(`    ... and while saturated as in (b):   p50 ${ms(e2e.latencies, 0.5)}, p95 ${ms(e2e.latencies, 0.95)}  (${e2e.latencies.length} probes; a backlog builds)`);
console.log(`(e) peak RSS: worker ${rss.map((r) => `${r.toFixed(0)} MB`).join(', ')}, api ${apiRss.toFixed(0)} MB; idle after start: worker ${idle.workers.map((r) => `${r.toFixed(0)} MB`).join(', ')}, api ${idle.api.toFixed(0)} MB`);
const cpuLine = [...e2e.cpu].map(([g, s]) => `${g} ${((1e6 * s) / N).toFixed(1)}`).join(', ');
console.log(`    CPU per event during (b), µs:        ${cpuLine}  (${([...e2e.cpu.values()].reduce((a, b) => a + b, 0) / e2e.seconds).toFixed(2)} cores busy)`);

// (f) disk: bytes per stored event (the hypertable with its indexes and TOAST, and the idempotency
// ids), for the operations guide's sizing; every row of the database is from (a), (a2) and (b).
const { rows: [disk] } = await pool.query(
  `SELECT (SELECT count(*) FROM usage_events)::float8 AS events,
          hypertable_size('usage_events')::float8 AS events_bytes,
          (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c WHERE c.relname = 'usage_event_ids')::float8 AS ids_bytes`);
const bytesPerEvent = (disk.events_bytes + disk.ids_bytes) / disk.events;
console.log(`(f) disk per stored event:                ${bytesPerEvent.toFixed(0)} bytes (hypertable ${(disk.events_bytes / disk.events).toFixed(0)}, ids ${(disk.ids_bytes / disk.events).toFixed(0)}; ${fmt(disk.events)} rows)`);
results.add('disk.bytes_per_event', bytesPerEvent, 'bytes', 'lower');

const ratio = (label: string, value: number, target: string, ok: boolean) => console.log(`${label.padEnd(52)} ${value.toFixed(2).padStart(6)}  (target ${target}) ${ok ? 'ok' : 'MISSED'}`);
console.log('\nratios against the targets of issue 18:');
ratio('(b) ÷ raw COPY (a)', share, '>= 0.60', share >= 0.6);
ratio('CPU µs per event in api + worker ÷ 60 µs', ours / 60, '<= 1.00', ours <= 60);
const workerPeak = Math.max(...rss);
const workerIdle = Math.max(...idle.workers);
// Issue 18's memory targets: RSS as a share of its bound, printed and kept in the results file.
const MEMORY_TARGETS = [
  ['API RSS idle after start ÷ 150 MB', 'api_idle', idle.api, 150],
  ['API peak RSS under the bench ÷ 250 MB', 'api_peak', apiRss, 250],
  ['worker RSS idle after start ÷ 200 MB', 'worker_idle', workerIdle, 200],
  ['worker peak RSS under the bench ÷ 200 MB', 'worker_peak', workerPeak, 200],
] as const;
for (const [label, key, mb, target] of MEMORY_TARGETS) {
  ratio(label, mb / target, '<= 1.00', mb <= target);
  results.add(`rss.${key}_of_target`, mb / target, 'ratio', 'lower');
}

results.add('raw_copy.events_per_s', copy, 'events/s', 'higher');
results.add('store_per_job.events_per_s', store.now, 'events/s', 'higher');
results.add('end_to_end.events_per_s', e2e.rate, 'events/s', 'higher');
results.add('end_to_end.share_of_copy', share, 'ratio', 'higher');
results.add('visible.steady_p95_ms', quantile(calm.latencies, 0.95), 'ms', 'lower');
results.add('cpu.api_worker_us_per_event', ours, 'µs', 'lower');
for (const [g, s] of e2e.cpu) results.add(`cpu.${g.replace(' ', '_')}_us_per_event`, (1e6 * s) / N, 'µs', 'lower');
results.add('rss.api_idle_mb', idle.api, 'MB', 'lower');
results.add('rss.api_peak_mb', apiRss, 'MB', 'lower');
results.add('rss.worker_idle_mb', workerIdle, 'MB', 'lower');
results.add('rss.worker_peak_mb', workerPeak, 'MB', 'lower');
console.log(`load average at the end: ${loadAverage().join(' ')}; results: ${results.write()}`);
await pool.end();
await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin.end();
