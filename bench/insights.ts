// npm run bench:insights — anomaly detection and forecasts measured like a model (issue 23).
//  Anomalies: labelled days of sessions (bench/support/insights-data.ts: task type x agent
//  structure, noise, one injected cause per anomalous session, near misses at 1.5x) sent
//  through the real ingest path (HTTP -> BullMQ -> worker -> TimescaleDB), detected over
//  the whole range through the semantic layer, and scored: precision, recall, false-positive
//  rate, top-cause accuracy per cause. Seeds: BENCH_TUNING_SEEDS were looked at while
//  choosing the defaults (threshold 2, material share 0.15); BENCH_EVAL_SEEDS were not.
//  Plans: labelled plans (per-type lognormal task costs, completed and open tasks) scored on
//  the expected remaining spend's bias and the p25-p90 interval's coverage of the true total.
//  Month-end projection: a trend x weekday series with noise, projected from the 8 weeks
//  before each forecast date; mean |error| of the month total.
// Uses its own database and queue prefix; prints figures and whether each meets its target.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createApiKey, createPool, ensureWorkspace, listAnomalies, migrate } from '@spendgraph/db';
import { fitDaily, fitLogNormal, predictDay, quantile, simulateRemaining } from '@spendgraph/forecast';
import { detectAnomalies } from '@spendgraph/insights';
import { createSemanticLayer } from '@spendgraph/semantic';
import { appEnv, startApp, startApi } from './support/apps.ts';
import { CAUSES, type Cause, type Label, generate, rng } from './support/insights-data.ts';

const seeds = (v: string | undefined, d: string) => (v ?? d).split(',').map(Number);
const TUNING = seeds(process.env.BENCH_TUNING_SEEDS, '1');
const EVAL = seeds(process.env.BENCH_EVAL_SEEDS, '101,102,103');
const NOISES = (process.env.BENCH_NOISES ?? '0.1,0.15').split(',').map(Number);
const DAYS = Number(process.env.BENCH_INSIGHTS_DAYS ?? 14);
const SESSIONS = Number(process.env.BENCH_INSIGHTS_SESSIONS ?? 150);
const START = new Date('2026-06-01T00:00:00Z');
const PORT = 5000 + Math.floor(Math.random() * 90);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

// ---- database and apps -------------------------------------------------------
const dbName = process.env.BENCH_DATABASE ?? 'spendgraph_bench_insights';
const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${dbName}`);
await admin.end();
const dbUrl = Object.assign(new URL(process.env.DATABASE_URL!), { pathname: `/${dbName}` }).toString();
await migrate(dbUrl);
const pool = createPool(dbUrl);
const env = appEnv({ databaseUrl: dbUrl, apiPort: PORT, queuePrefix: `sg-bench-insights-${randomUUID()}`, extra: { WORKER_QUEUES: 'ingest' } });
const api = await startApi(env);
startApp('worker', env);
const semantic = await createSemanticLayer({ databaseUrl: dbUrl });

async function ingest(workspaceId: string, key: string, events: Array<Record<string, unknown>>) {
  for (let i = 0; i < events.length; i += 5000) {
    const res = await fetch(`${api.url}/v1/events`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(events.slice(i, i + 5000).map((e) => ({ id: randomUUID(), ...e }))),
    });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  }
  for (let i = 0; ; i++) {
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM usage_events WHERE workspace_id = $1', [workspaceId]);
    if (rows[0].n === events.length) return;
    if (i > 3000) throw new Error('events were not stored');
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---- anomalies -----------------------------------------------------------------
interface Score { tp: number; fp: number; fn: number; normals: number; top: Map<Cause, { right: number; of: number }> }
const emptyScore = (): Score => ({ tp: 0, fp: 0, fn: 0, normals: 0, top: new Map(CAUSES.map((c) => [c, { right: 0, of: 0 }])) });

async function runAnomalies(seed: number, noise: number): Promise<Score> {
  const ws = await ensureWorkspace(pool, `bench-${seed}-${String(noise).replace(".", "")}`);
  const { key } = await createApiKey(pool, ws.id, ['ingest']);
  const { events, labels } = generate({ seed, days: DAYS, sessionsPerDay: SESSIONS, noise, anomaliesPerDay: 3, nearMissesPerDay: 3, start: START });
  await ingest(ws.id, key, events);
  await detectAnomalies({ pool, semantic }, { workspaceId: ws.id, kinds: ['session'], range: { from: START, to: new Date(START.getTime() + DAYS * 86_400_000) } });
  const found = new Map((await listAnomalies(pool, ws.id, { kind: 'session', first: 100_000 })).map((a) => [a.subjectId, a]));
  const s = emptyScore();
  for (const l of labels as Label[]) {
    const a = found.get(l.sessionId);
    if (l.cause === null) {
      s.normals++;
      if (a) s.fp++;
      continue;
    }
    if (!a) {
      s.fn++;
      continue;
    }
    s.tp++;
    const t = s.top.get(l.cause)!;
    t.of++;
    if (a.causes[0]?.cause === l.cause) t.right++;
  }
  return s;
}

function add(a: Score, b: Score): Score {
  const top = new Map(CAUSES.map((c) => [c, { right: a.top.get(c)!.right + b.top.get(c)!.right, of: a.top.get(c)!.of + b.top.get(c)!.of }]));
  return { tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn, normals: a.normals + b.normals, top };
}

function printScore(title: string, s: Score) {
  const precision = s.tp / (s.tp + s.fp);
  const recall = s.tp / (s.tp + s.fn);
  const ok = (good: boolean) => (good ? 'ok' : 'MISSED');
  console.log(`${title}: precision ${pct(precision)} [target >= 90 %: ${ok(precision >= 0.9)}], recall ${pct(recall)} [>= 95 %: ${ok(recall >= 0.95)}], `
    + `false positives ${s.fp} of ${s.normals} normal sessions (${pct(s.fp / s.normals)})`);
  for (const [c, t] of s.top) console.log(`  top cause ${c.padEnd(13)} ${t.right}/${t.of} = ${pct(t.of ? t.right / t.of : 0)} [>= 90 %: ${ok(t.of > 0 && t.right / t.of >= 0.9)}]`);
}

let tuning = emptyScore();
let evaluation = emptyScore();
for (const noise of NOISES) {
  for (const seed of [...TUNING, ...EVAL]) {
    const t0 = performance.now();
    const s = await runAnomalies(seed, noise);
    console.log(`seed ${seed}, noise ${noise}: ${s.tp} found, ${s.fn} missed, ${s.fp} false positives (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    if (TUNING.includes(seed)) tuning = add(tuning, s);
    else evaluation = add(evaluation, s);
  }
}
console.log(`\nanomalies: ${DAYS} days x ${SESSIONS} sessions per seed and noise level (${NOISES.join(', ')}), 3 anomalies and 3 near misses a day`);
printScore(`tuning seeds ${TUNING.join(', ')}`, tuning);
printScore(`evaluation seeds ${EVAL.join(', ')}`, evaluation);

// ---- plan forecasts -------------------------------------------------------------------
function planTrial(seed: number) {
  const r = rng(seed);
  const types = Array.from({ length: 1 + Math.floor(r.u() * 4) }, () => ({
    mu: -1 + 2 * r.u(), sigma: 0.4 + 0.8 * r.u(), completed: 10 + Math.floor(r.u() * 60), open: 1 + Math.floor(r.u() * 12),
  }));
  let truth = 0;
  let expected = 0;
  const groups = types.map((t) => {
    const past = Array.from({ length: t.completed }, () => Math.exp(t.mu + t.sigma * r.normal()));
    for (let i = 0; i < t.open; i++) truth += Math.exp(t.mu + t.sigma * r.normal());
    expected += t.open * (past.reduce((a, b) => a + b, 0) / past.length);
    const fit = fitLogNormal(past)!;
    return { count: t.open, fit, fallbackSigma: fit.sigma };
  });
  const d = simulateRemaining(groups, seed);
  return { truth, expected, low: quantile(d, 0.25), high: quantile(d, 0.9) };
}
for (const [title, list] of [['tuning', TUNING], ['evaluation', EVAL]] as const) {
  const trials = list.flatMap((seed) => Array.from({ length: 1000 }, (_, i) => planTrial(seed * 10_000 + i)));
  const bias = trials.reduce((a, t) => a + t.expected, 0) / trials.reduce((a, t) => a + t.truth, 0) - 1;
  const coverage = trials.filter((t) => t.truth >= t.low && t.truth <= t.high).length / trials.length;
  console.log(`plans (${title} seeds, ${trials.length} plans): bias of the expected remaining ${pct(bias)} [within 3 %: ${Math.abs(bias) <= 0.03 ? 'ok' : 'MISSED'}], `
    + `p25-p90 coverage ${pct(coverage)} vs nominal 65 % [within 5 points: ${Math.abs(coverage - 0.65) <= 0.05 ? 'ok' : 'MISSED'}]`);
}

// ---- month-end projection ---------------------------------------------------------------
for (const [title, list] of [['tuning', TUNING], ['evaluation', EVAL]] as const) {
  const errors: number[] = [];
  let signed = 0;
  let actualSum = 0;
  for (const seed of list) {
    const r = rng(seed + 7);
    const weekday = [0.4, 1.1, 1.2, 1.2, 1.1, 1, 0.5];
    const y = Array.from({ length: 400 }, (_, t) => (100 + 0.2 * t) * weekday[t % 7]! * Math.exp(0.15 * r.normal()));
    for (let start = 90; start + 30 < 400; start += 12) {
      const asOf = start + 10; // 10 days into a 30-day "month"
      const fit = fitDaily(Array.from({ length: 56 }, (_, i) => ({ t: asOf - 56 + i, weekday: ((asOf - 56 + i) % 7) + 1, y: y[asOf - 56 + i]! })));
      let projected = 0;
      let actual = 0;
      for (let t = start; t < start + 30; t++) {
        actual += y[t]!;
        projected += t < asOf ? y[t]! : predictDay(fit, t, (t % 7) + 1);
      }
      errors.push(Math.abs(projected / actual - 1));
      signed += projected - actual;
      actualSum += actual;
    }
  }
  const mae = errors.reduce((a, b) => a + b, 0) / errors.length;
  console.log(`month-end projection (${title} seeds, ${errors.length} forecast dates): mean |error| ${pct(mae)}, bias ${pct(signed / actualSum)} [within 3 %: ${Math.abs(signed / actualSum) <= 0.03 ? 'ok' : 'MISSED'}]`);
}

await semantic.close();
await pool.end();
process.exit(0);
