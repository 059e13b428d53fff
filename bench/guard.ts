// npm run bench:guard — budget guardrails at scale, in one run:
//  (a) GET /v1/guard/check latency p50/p99 through the real API under concurrent
//      requests (BENCH_GUARD_CONCURRENCY, default 16), and the in-memory decision alone;
//  (b) the evaluation job for BENCH_GUARD_BUDGETS (1,000) budgets over the 10 M events
//      of bench:query's database (seeded here if missing), twice: first and repeat run.
//  (c) hard-stop latency: with two API replicas and a worker (ingest, budgets), the time from a
//      crossing event being stored to both replicas denying work in the budget's scope.
// Prints figures with ratios against the targets: check p99 <= 5 ms, evaluation of 1,000 budgets
// <= 1 s, hard stop <= 100 ms.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeBudgets, budgetStatuses, createApiKey, ensureWorkspace, insertBudget } from '@spendgraph/db';
import { buildGuardIndex, decide, evaluateBudgets, parseBudget } from '@spendgraph/budgets';
import { type SemanticLayer, createSemanticLayer } from '@spendgraph/semantic';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { budgetsChangedChannel } from '@spendgraph/queue';
import { appEnv, startApi, startApp } from './support/apps.ts';
import { quantile } from './support/results.ts';
import { benchDatabase, fmt, seedEvents } from './support/events-10m.ts';

const EVENTS = Number(process.env.BENCH_QUERY_EVENTS ?? 10_000_000);
const BUDGETS = Number(process.env.BENCH_GUARD_BUDGETS ?? 1000);
const REQUESTS = Number(process.env.BENCH_GUARD_REQUESTS ?? 20_000);
/** Concurrent clients: a few agents at once, and a crowd. */
const CONCURRENCY = (process.env.BENCH_GUARD_CONCURRENCY ?? '4,16').split(',').map(Number);
const EVAL_RUNS = Number(process.env.BENCH_GUARD_EVAL_RUNS ?? 2);
const HARD_STOP_RUNS = Number(process.env.BENCH_GUARD_HARD_STOP_RUNS ?? 10);
const EVAL_TARGET_S = 1;
const HARD_STOP_TARGET_MS = 100;
const PORT = 4900 + Math.floor(Math.random() * 90);

const { dbUrl, pool, workspaceId } = await benchDatabase();
await seedEvents(pool, workspaceId, EVENTS);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: T[], i: number) => xs[i % xs.length]!;

// ---- 1,000 budgets across the scopes and periods users set ------------------
const MODELS = ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'gpt-4o', 'gpt-4o-mini', 'o3', 'gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.0-flash'];
// Calendar and rolling budgets per user, agent, customer, feature, model and user x model;
// lifetime budgets per plan and per task (what lifetime budgets are for); one in twenty
// names a list of values (a query of its own); one in a hundred covers the whole workspace.
const SCOPES: Array<(i: number) => Array<{ member: string; values: string[] }>> = [
  (i) => [{ member: 'user_id', values: [`user-${i % 80}`] }],
  (i) => [{ member: 'agent', values: [`agent-${i % 12}`] }],
  (i) => [{ member: 'customer_id', values: [`customer-${i % 40}`] }],
  (i) => [{ member: 'feature', values: [`feature-${i % 25}`] }],
  (i) => [{ member: 'model', values: [pick(MODELS, i)] }],
  (i) => [{ member: 'user_id', values: [`user-${i % 80}`] }, { member: 'model', values: [pick(MODELS, i)] }],
];
const LIFETIME_SCOPES: Array<(i: number) => Array<{ member: string; values: string[] }>> = [
  (i) => [{ member: 'plan_id', values: [`plan-${i % 60}`] }],
  (i) => [{ member: 'task_id', values: [`task-${(i * 13) % 3000}`] }],
];
const PERIODS = ['daily', 'weekly', 'monthly', 'rolling', 'lifetime'] as const;

function budgetInput(i: number) {
  const period = PERIODS[i % PERIODS.length]!;
  const round = Math.floor(i / PERIODS.length);
  const scope = i % 100 === 0 ? undefined
    : i % 20 === 1 ? [{ member: 'agent', values: [`agent-${i % 12}`, `agent-${(i + 1) % 12}`] }]
    : period === 'lifetime' ? LIFETIME_SCOPES[round % LIFETIME_SCOPES.length]!(i)
    : SCOPES[round % SCOPES.length]!(i);
  return {
    name: `bench-${i}`, period, ...(period === 'rolling' ? { rollingDays: 7 } : {}),
    ...(scope ? { scope } : { wholeWorkspace: true }),
    amount: String(50 + (i % 20) * 250), mode: i % 4 === 0 ? 'hard' : 'soft',
  };
}

async function createBudgets() {
  await pool.query('DELETE FROM budgets WHERE workspace_id = $1', [workspaceId]);
  for (let i = 0; i < BUDGETS; i++) {
    const parsed = parseBudget(budgetInput(i));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    await insertBudget(pool, workspaceId, parsed.fields);
  }
}

/** Counts the semantic-layer queries an evaluation makes. */
function counting(semantic: SemanticLayer) {
  let queries = 0;
  return { layer: { ...semantic, load: (...args: Parameters<SemanticLayer['load']>) => (queries++, semantic.load(...args)) }, queries: () => queries };
}

if (EVAL_RUNS) await createBudgets(); // else: the budgets and statuses of the last run
const semantic = await createSemanticLayer({ databaseUrl: dbUrl });
// The worker's warming job keeps roll-ups built; here it runs once (budgets read whole days from them).
const w0 = performance.now();
const { built } = await semantic.warmPreAggregations();
console.log(`warm: ${built.length} roll-up partitions in ${((performance.now() - w0) / 1000).toFixed(1)} s`);
const evaluations: string[] = [];
for (const run of ['first', 'repeat'].slice(0, EVAL_RUNS)) {
  const c = counting(semantic);
  const t0 = performance.now();
  const result = await evaluateBudgets({ pool, semantic: c.layer }, { workspaceId });
  const s = (performance.now() - t0) / 1000;
  evaluations.push(`(b) evaluation, ${run} run: ${fmt(result.budgets)} budgets over ${fmt(EVENTS)} events in ${s.toFixed(2)} s ` +
    `= ${(s / EVAL_TARGET_S).toFixed(2)}x the ${EVAL_TARGET_S} s target ${s <= EVAL_TARGET_S ? 'PASS' : 'MISS'} ` +
    `(${c.queries()} semantic-layer queries, ${result.alerts} alerts recorded)`);
  console.log(evaluations.at(-1));
}
await semantic.close();

// ---- the guard check ---------------------------------------------------------
const contexts = Array.from({ length: 500 }, (_, i) => new URLSearchParams({
  user_id: `user-${(i * 7) % 80}`, agent: `agent-${i % 12}`, model: pick(MODELS, i * 5), plan_id: `plan-${(i * 11) % 60}`,
  task_id: `task-${(i * 17) % 3000}`, customer_id: `customer-${i % 40}`, feature: `feature-${(i * 3) % 25}`,
}));

const statuses = new Map((await budgetStatuses(pool, workspaceId)).map((s) => [s.budgetId, s]));
const entries = (await activeBudgets(pool, { workspaceId })).map((budget) => ({ budget, status: statuses.get(budget.id) }));
const index = buildGuardIndex(entries);
const inMemory: number[] = [];
for (let i = 0; i < 20_000; i++) {
  const ctx = new Map(contexts[i % contexts.length]!);
  const t0 = performance.now();
  decide(index, ctx, new Date());
  inMemory.push(performance.now() - t0);
}

const { key } = await createApiKey(pool, workspaceId, ['ingest'], 'bench-guard');
const env = appEnv({ databaseUrl: dbUrl, apiPort: PORT, queuePrefix: `sg-bench-guard-${PORT}` });
const { child: api, url } = await startApi(env);

let denied = 0;
async function check(i: number): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/guard/check?${contexts[i % contexts.length]}`, { headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { allow: boolean };
  if (res.status !== 200) throw new Error(`guard check answered ${res.status}: ${JSON.stringify(body)}`);
  if (!body.allow) denied++;
  return performance.now() - t0;
}
async function load(total: number, concurrency: number): Promise<number[]> {
  const ms: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) ms.push(await check(next++));
  }));
  return ms;
}
await load(1000, 4); // warm-up: the first check loads the workspace's budgets into the API's cache
const runs: string[] = [];
for (const c of CONCURRENCY) {
  denied = 0;
  const t0 = performance.now();
  const http = await load(REQUESTS, c);
  const seconds = (performance.now() - t0) / 1000;
  const p99 = quantile(http, 0.99);
  runs.push(`(a) GET /v1/guard/check over HTTP, ${String(c).padStart(2)} concurrent clients, ${fmt(REQUESTS)} requests: ` +
    `p50 ${quantile(http, 0.5).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, ${fmt(REQUESTS / seconds)} checks/s, ${denied} denied ` +
    `${p99 <= 5 ? 'PASS' : 'MISS'} p99<=5ms`);
}
// wrk (Debian's package, a C client much lighter than fetch) measures the same checks when it is installed.
function wrk(concurrency: number): string | undefined {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined; // wrk --version exits 1 when present
  }
  const script = join(tmpdir(), 'spendgraph-guard-wrk.lua');
  writeFileSync(script, `local paths = {${contexts.map((c) => `"/v1/guard/check?${c}"`).join(',')}}\nlocal i = 0\n` +
    'request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end\n');
  const out = execFileSync('wrk', ['-t1', `-c${concurrency}`, '-d10s', '--latency', '-s', script, '-H', `authorization: Bearer ${key}`, url], { encoding: 'utf8' });
  const ms = (p: string) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out)!;
    return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2]!]!;
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
  return `(a) the same with wrk,  ${String(concurrency).padStart(2)} connections, 10 s: p50 ${ms('50').toFixed(2)} ms, p99 ${ms('99').toFixed(2)} ms, ` +
    `${fmt(rps)} checks/s ${ms('99') <= 5 ? 'PASS' : 'MISS'} p99<=5ms`;
}
for (const c of CONCURRENCY) {
  const line = wrk(c);
  if (line) runs.push(line);
}
const sample = (await (await fetch(`${url}/v1/guard/check?${contexts[0]}`, { headers: { authorization: `Bearer ${key}` } })).text()).length;

// ---- (c) hard stop after the crossing event is stored, two API replicas ------------
const worker = startApp('worker', { ...env, WORKER_QUEUES: 'ingest,budgets', WORKER_METRICS_PORT: '0' });
const { child: api2, url: url2 } = await startApi({ ...env, API_PORT: String(PORT + 1) });
const publisher = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
// A workspace of its own: the bench workspace's whole-workspace hard budgets are over their limits.
const stopWs = (await ensureWorkspace(pool, 'bench-guard-stop')).id;
const { key: stopKey } = await createApiKey(pool, stopWs, ['ingest'], 'bench-guard-stop');
await pool.query('DELETE FROM budgets WHERE workspace_id = $1', [stopWs]);
// One more crossing than measured: the first, uncounted, finds the worker cold (its first Cube plans compiled, JIT).
const stopUsers = Array.from({ length: HARD_STOP_RUNS + 1 }, (_, i) => `stop-${PORT}-${i}`);
for (const user of stopUsers) {
  const parsed = parseBudget({ name: `hard-stop-${user}`, period: 'daily', scope: [{ member: 'user_id', values: [user] }], amount: '1', mode: 'hard' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  await insertBudget(pool, stopWs, parsed.fields);
}
process.env.QUEUE_PREFIX = env.QUEUE_PREFIX; // the channel's name carries the prefix
await publisher.publish(budgetsChangedChannel(), stopWs); // both replicas load the new budgets
const allows = async (base: string, user: string) =>
  ((await (await fetch(`${base}/v1/guard/check?user_id=${user}`, { headers: { authorization: `Bearer ${stopKey}` } })).json()) as { allow: boolean }).allow;
const hardStops: number[] = [];
for (const user of stopUsers) {
  while (!((await allows(url, user)) && (await allows(url2, user)))) await sleep(20);
  const id = randomUUID();
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST', headers: { authorization: `Bearer ${stopKey}`, 'content-type': 'application/json' },
    body: JSON.stringify([{ id, occurred_at: new Date().toISOString(), provider: 'openai', model: 'gpt-4o', cost: '2.000000', user_id: user }]),
  });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
  let stored = 0;
  const denied = [0, 0];
  const t0 = performance.now();
  await Promise.all([
    (async () => {
      while (!(await pool.query('SELECT 1 FROM usage_events WHERE workspace_id = $1 AND event_id = $2', [stopWs, id])).rowCount) await sleep(1);
      stored = performance.now();
    })(),
    ...[url, url2].map(async (base, i) => {
      while (await allows(base, user)) if (performance.now() - t0 > 120_000) throw new Error('the hard budget never blocked');
      denied[i] = performance.now();
    }),
  ]);
  if (user !== stopUsers[0]) hardStops.push(Math.max(...denied) - stored);
}
const stop = { p50: quantile(hardStops, 0.5), p90: quantile(hardStops, 0.9), max: Math.max(...hardStops) };
const hardStopLine = `(c) hard stop, stored crossing event -> both of 2 API replicas deny, ${hardStops.length} runs: ` +
  `p50 ${stop.p50.toFixed(0)} ms, p90 ${stop.p90.toFixed(0)} ms, max ${stop.max.toFixed(0)} ms = ${(stop.max / HARD_STOP_TARGET_MS).toFixed(2)}x the ${HARD_STOP_TARGET_MS} ms target ` +
  `${stop.max <= HARD_STOP_TARGET_MS ? 'PASS' : 'MISS'} (a workspace of its own with ${HARD_STOP_RUNS + 1} hard budgets; a first crossing on the cold worker not counted)`;
publisher.disconnect();
worker.kill('SIGTERM');
api2.kill('SIGTERM');
api.kill('SIGTERM');

console.log(`\nguard benchmark: ${fmt(BUDGETS)} budgets in one workspace (a quarter of them hard), contexts naming 7 dimensions` +
  ` (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores)`);
for (const line of runs) console.log(line);
console.log(`    (client and API share the machine's 2 cores; an answer lists the 10 most urgent of the budgets that apply: ~${fmt(sample / 1000)} kB here)`);
console.log(`    the decision alone (in memory, ${fmt(entries.length)} budgets): p50 ${(quantile(inMemory, 0.5) * 1000).toFixed(0)} us, p99 ${(quantile(inMemory, 0.99) * 1000).toFixed(0)} us`);
for (const line of evaluations) console.log(line);
console.log(hardStopLine);
console.log(`    each run, ms: ${hardStops.map((ms) => ms.toFixed(0)).join(' ')}`);
await pool.end();
process.exit(0);
