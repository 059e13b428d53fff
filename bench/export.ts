// npm run bench:export — streaming exports through the real API over BENCH_EXPORT_EVENTS
// (1 M) events of the bench workload (90 days, in a database of its own):
//  (a) every event as CSV and as NDJSON, (b) FOCUS for the last 30 days as CSV.
// Prints rows/s, MB/s and the API process's peak RSS (VmHWM), which stays flat
// however many rows pass: rows stream from a Postgres cursor at the client's pace.
import { readFileSync } from 'node:fs';
import { createApiKey } from '@spendgraph/db';
import { appEnv, startApi } from './support/apps.ts';
import { benchDatabase, fmt, seedEvents } from './support/events-10m.ts';

const N = Number(process.env.BENCH_EXPORT_EVENTS ?? 1_000_000);
const PORT = 4900 + Math.floor(Math.random() * 90);
const { dbUrl, pool, workspaceId } = await benchDatabase('spendgraph_bench_export');
await seedEvents(pool, workspaceId, N);
const { key } = await createApiKey(pool, workspaceId, ['read']);

const { child: api, url } = await startApi(appEnv({ databaseUrl: dbUrl, apiPort: PORT, queuePrefix: `sg-bench-export-${PORT}` }));

const rssMb = (field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${api.pid}/status`, 'utf8'))![1]) / 1024;

async function run(name: string, path: string) {
  const t0 = performance.now();
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body!) {
    bytes += chunk.length;
    for (const b of chunk) if (b === 10) lines++;
  }
  const s = (performance.now() - t0) / 1000;
  const rows = name.includes('csv') ? lines - 1 : lines;
  console.log(`${name.padEnd(28)} ${fmt(rows).padStart(10)} rows ${(bytes / 1e6).toFixed(0).padStart(5)} MB ${s.toFixed(1).padStart(6)} s ` +
    `${fmt(rows / s).padStart(8)} rows/s ${(bytes / 1e6 / s).toFixed(1).padStart(5)} MB/s   API RSS ${rssMb('VmRSS').toFixed(0)} MB (peak ${rssMb('VmHWM').toFixed(0)} MB)`);
}

console.log(`export benchmark: ${fmt(N)} events over 90 days; API RSS before: ${rssMb('VmRSS').toFixed(0)} MB`);
await run('(a) events, csv', '/v1/exports/events?format=csv');
await run('(a) events, ndjson', '/v1/exports/events?format=ndjson');
await run('(b) focus 30 d, csv', '/v1/exports/focus?relative=last%2030%20days');
api.kill('SIGTERM');
await pool.end();
