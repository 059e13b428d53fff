// npm run bench:guard — budget guardrails at scale, in one run:
//  (a) GET /v1/guard/check latency p50/p99 through the real API under concurrent
//      requests (BENCH_GUARD_CONCURRENCY, default 16), and the in-memory decision alone;
//  (b) the evaluation job for BENCH_GUARD_BUDGETS (1,000) budgets over the 10 M events
//      of bench:query's database (seeded here if missing), twice: first and repeat run.
// Prints figures; the target is p99 <= 5 ms for the check.
import { type ChildProcess, spawn } from 'node:child_process';
import { activeBudgets, budgetStatuses, createApiKey, insertBudget } from '@spendgraph/db';
import { buildGuardIndex, decide, evaluateBudgets, parseBudget } from '@spendgraph/budgets';
import { type SemanticLayer, createSemanticLayer } from '@spendgraph/semantic';
import { benchDatabase, fmt, seedEvents } from './support/events-10m.ts';

const EVENTS = Number(process.env.BENCH_QUERY_EVENTS ?? 10_000_000);
const BUDGETS = Number(process.env.BENCH_GUARD_BUDGETS ?? 1000);
const REQUESTS = Number(process.env.BENCH_GUARD_REQUESTS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_GUARD_CONCURRENCY ?? 16);
const PORT = 4900 + Math.floor(Math.random() * 90);

const { dbUrl, pool, workspaceId } = await benchDatabase();
await seedEvents(pool, workspaceId, EVENTS);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
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

await createBudgets();
const semantic = await createSemanticLayer({ databaseUrl: dbUrl });
const evaluations: string[] = [];
for (const run of ['first', 'repeat']) {
  const c = counting(semantic);
  const t0 = performance.now();
  const result = await evaluateBudgets({ pool, semantic: c.layer }, { workspaceId });
  const s = (performance.now() - t0) / 1000;
  evaluations.push(`(b) evaluation, ${run} run: ${fmt(result.budgets)} budgets over ${fmt(EVENTS)} events in ${s.toFixed(1)} s ` +
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
const env = { ...process.env, DATABASE_URL: dbUrl, API_PORT: String(PORT), LOG_LEVEL: 'warn', QUEUE_PREFIX: `sg-bench-guard-${PORT}` };
const api: ChildProcess = spawn(process.execPath, ['apps/api/src/main.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const url = `http://127.0.0.1:${PORT}`;
for (let i = 0; i < 300 && !(await fetch(`${url}/ready`).then((r) => r.ok, () => false)); i++) await sleep(100);

let denied = 0;
async function check(i: number): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/guard/check?${contexts[i % contexts.length]}`, { headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { allow: boolean };
  if (res.status !== 200) throw new Error(`guard check answered ${res.status}: ${JSON.stringify(body)}`);
  if (!body.allow) denied++;
  return performance.now() - t0;
}
async function load(total: number): Promise<number[]> {
  const ms: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < total) ms.push(await check(next++));
  }));
  return ms;
}
await load(1000); // warm-up: the first check loads the workspace's budgets into the API's cache
denied = 0;
const t0 = performance.now();
const http = await load(REQUESTS);
const seconds = (performance.now() - t0) / 1000;
api.kill('SIGTERM');

console.log(`\nguard benchmark: ${fmt(BUDGETS)} budgets in one workspace (a quarter of them hard), contexts naming 7 dimensions`);
console.log(`(a) GET /v1/guard/check over HTTP, ${CONCURRENCY} concurrent clients, ${fmt(REQUESTS)} requests: ` +
  `p50 ${quantile(http, 0.5).toFixed(2)} ms, p99 ${quantile(http, 0.99).toFixed(2)} ms, ${fmt(REQUESTS / seconds)} checks/s, ${denied} denied ` +
  `${quantile(http, 0.99) <= 5 ? 'PASS' : 'MISS'} p99<=5ms`);
console.log(`    the decision alone (in memory, ${fmt(entries.length)} budgets): p50 ${(quantile(inMemory, 0.5) * 1000).toFixed(0)} us, p99 ${(quantile(inMemory, 0.99) * 1000).toFixed(0)} us`);
for (const line of evaluations) console.log(line);
await pool.end();
process.exit(0);
