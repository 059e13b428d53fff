// npm run bench:ingest — ingest throughput and latency on this machine, in one run:
//  (a) raw COPY rate into the hypertable          (the ceiling)
//  (b) HTTP -> BullMQ -> worker -> hypertable rate (batched requests)
//  (c) b / a
//  (d) p50 / p95 time from POST to row visible, probed while (b) runs
//  (e) worker peak RSS
// Uses its own database and queue prefix; prints figures, asserts nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { USAGE_EVENT_COLUMNS, type UsageEventRow, copyLine, createApiKey, createPool, ensureWorkspace, migrate } from '@spendgraph/db';
import { generateDemoEvents } from '@spendgraph/demo';
import { parseEventBatch, type UsageEventInput } from '@spendgraph/schema';

const N = Number(process.env.BENCH_EVENTS ?? 400_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const PORT = 4900 + Math.floor(Math.random() * 90);

const baseUrl = process.env.DATABASE_URL!;
const dbName = 'spendgraph_bench';
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
async function rawCopyRate(): Promise<number> {
  const ws = await ensureWorkspace(pool, 'bench-copy');
  const events = inputs(1);
  const lines: string[] = [];
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
      lines.push(copyLine(row as unknown as UsageEventRow));
    }
  }
  const client = await pool.connect();
  const t0 = performance.now();
  for (const part of chunks(lines, 50_000)) {
    await pipeline(Readable.from([part.join('\n') + '\n']), client.query(copyFrom(`COPY usage_events (${USAGE_EVENT_COLUMNS.map(([c]) => c).join(', ')}) FROM STDIN`)));
  }
  const seconds = (performance.now() - t0) / 1000;
  client.release();
  return lines.length / seconds;
}

function* chunks<T>(xs: T[], size: number): Generator<T[]> {
  for (let i = 0; i < xs.length; i += size) yield xs.slice(i, i + size);
}

function start(app: string, env: NodeJS.ProcessEnv): ChildProcess {
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of each app process there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  return spawn(process.execPath, [...profile, `apps/${app}/src/main.ts`], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

// (b) + (d) + (e)
async function endToEnd() {
  // The worker runs the ingest queue only: its RSS is the ingest path's (upkeep jobs can run elsewhere).
  const env = { ...process.env, DATABASE_URL: dbUrl, QUEUE_PREFIX: `sg-bench-${randomUUID()}`, API_PORT: String(PORT), LOG_LEVEL: 'warn', WORKER_QUEUES: 'ingest' };
  const api = start('api', env);
  const workers = Array.from({ length: WORKERS }, () => start('worker', env));
  const apiUrl = `http://127.0.0.1:${PORT}`;
  for (let i = 0; i < 100 && !(await fetch(`${apiUrl}/ready`).then((r) => r.ok, () => false)); i++) await sleep(100);

  const ws = await ensureWorkspace(pool, 'bench-e2e');
  const { key } = await createApiKey(pool, ws.id, ['ingest']);
  const bodies = [...chunks(inputs(2), BATCH)].map((b) => JSON.stringify(b));
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const count = async () => Number((await pool.query('SELECT count(*) FROM usage_events WHERE workspace_id = $1', [ws.id])).rows[0].count);

  let loading = true;
  const latencies: number[] = [];
  const probe = async () => {
    const probeWs = await ensureWorkspace(pool, 'bench-probe');
    const probeKey = (await createApiKey(pool, probeWs.id, ['ingest'])).key;
    while (loading) {
      const id = randomUUID();
      const t0 = performance.now();
      await fetch(`${apiUrl}/v1/events`, {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${probeKey}` },
        body: JSON.stringify([{ id, occurred_at: new Date().toISOString(), provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 10 } }]),
      });
      while ((await pool.query('SELECT 1 FROM usage_events WHERE workspace_id = $1 AND event_id = $2', [probeWs.id, id])).rowCount === 0) await sleep(5);
      latencies.push(performance.now() - t0);
      await sleep(200);
    }
  };

  const t0 = performance.now();
  const probing = probe();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(`${apiUrl}/v1/events`, { method: 'POST', headers, body });
        if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
      }
    }),
  );
  const tAccepted = performance.now();
  while ((await count()) < N) await sleep(50);
  const seconds = (performance.now() - t0) / 1000;
  loading = false;
  await probing;
  const rss = workers.map((w) => peakRssMb(w.pid!));
  const apiRss = peakRssMb(api.pid!);
  for (const c of [api, ...workers]) c.kill('SIGTERM');
  return { rate: N / seconds, acceptRate: N / ((tAccepted - t0) / 1000), latencies, rss, apiRss };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

console.log(`ingest benchmark: ${fmt(N)} events, batches of ${fmt(BATCH)}, ${CONCURRENCY} concurrent requests, ${WORKERS} worker process(es)`);
const copy = await rawCopyRate();
console.log(`(a) raw COPY into the hypertable:        ${fmt(copy)} events/s`);
const e2e = await endToEnd();
console.log(`(b) HTTP -> BullMQ -> hypertable:         ${fmt(e2e.rate)} events/s  (API accepted at ${fmt(e2e.acceptRate)} events/s)`);
console.log(`(c) b / a:                                ${((100 * e2e.rate) / copy).toFixed(1)} %`);
console.log(`(d) POST -> row visible under load:       p50 ${quantile(e2e.latencies, 0.5).toFixed(0)} ms, p95 ${quantile(e2e.latencies, 0.95).toFixed(0)} ms  (${e2e.latencies.length} probes)`);
console.log(`(e) worker peak RSS:                      ${e2e.rss.map((r) => `${r.toFixed(0)} MB`).join(', ')}  (api ${e2e.apiRss.toFixed(0)} MB)`);
await pool.end();
await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin.end();
