// Starts the real api and worker as child processes against the test database
// and a queue prefix of their own, as they run in production.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createApiKey, createPool, ensureWorkspace, type Pool } from '@spendgraph/db';
import { FIXED_NOW_ENV } from '@spendgraph/periods';
import { ALERTS_QUEUE, BUDGETS_QUEUE, INGEST_QUEUE, INSIGHTS_QUEUE, MAINTENANCE_QUEUE, REPORTS_QUEUE } from '@spendgraph/queue';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Platform {
  apiUrl: string;
  pool: Pool;
  env: NodeJS.ProcessEnv;
  startWorker(extraEnv?: NodeJS.ProcessEnv): ChildProcess;
  stop(): Promise<void>;
}

function start(app: 'api' | 'worker', env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [`apps/${app}/src/main.ts`], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => process.env.TEST_VERBOSE && process.stderr.write(`[${app}] ${d}`));
  return child;
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/**
 * Services default to the run's shared database and Redis; fault tests pass private ones.
 * `env` is added to both apps' environment. `now` fixes the clock of the API and worker
 * (packages/periods): tests whose answers depend on the time of day place their data around it
 * and give the same instant to their SQL.
 */
export async function startPlatform({ worker = true, databaseUrl = inject('databaseUrl'), redisUrl = inject('redisUrl'), env: extra = {} as NodeJS.ProcessEnv, now = undefined as Date | undefined } = {}): Promise<Platform> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `sg-test-${randomUUID()}`,
    // As in production: answers carry no stack traces or debug detail.
    NODE_ENV: 'production',
    API_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    // No default secret anywhere: each platform its own.
    OPERATOR_TOKEN: randomBytes(32).toString('hex'),
    // All test traffic comes from 127.0.0.1: a budget of failed authentications fit for one client
    // would throttle whole suites (apps/api/test/auth.test.ts sets its own).
    AUTH_FAILURES_PER_MINUTE: '1000',
    WORKER_LOCK_DURATION_MS: '2000',
    // Upkeep jobs only where a test asks for them (startWorker({ WORKER_QUEUES: 'maintenance' })).
    WORKER_QUEUES: 'ingest',
    WORKER_METRICS_PORT: '0', // tests that scrape a worker give it a port of its own
    // Roll-ups of this platform's own: a partition another file's API built before this file's
    // fixture was stored counts as fresh until its refresh key ticks (every 10 minutes).
    SPENDGRAPH_ROLLUP_SCHEMA: process.env.SPENDGRAPH_ROLLUP_SCHEMA ?? `rollups_${randomUUID().slice(0, 8)}`,
    ...extra,
    [FIXED_NOW_ENV]: now?.toISOString(),
  };
  if (!now) delete env[FIXED_NOW_ENV];
  const children: ChildProcess[] = [start('api', env)];
  const apiUrl = `http://127.0.0.1:${env.API_PORT}`;
  const startWorker = (extra: NodeJS.ProcessEnv = {}) => {
    const child = start('worker', { ...env, ...extra });
    children.push(child);
    return child;
  };
  if (worker) startWorker();
  // A loaded machine (several engineers' suites at once) can take a while to compile the model.
  await waitFor(async () => (await fetch(`${apiUrl}/ready`).catch(() => undefined))?.ok, 150_000, 'the API to be ready').catch(async (e) => {
    await Promise.all(children.map(stopChild)); // no orphans when the API never comes up
    throw e;
  });
  const pool = createPool(databaseUrl);
  return {
    apiUrl,
    pool,
    env,
    startWorker,
    async stop() {
      await Promise.all(children.map(stopChild));
      await pool.end();
      await forgetQueues(redisUrl, env.QUEUE_PREFIX!);
    },
  };
}

/** Drops this run's queues from Redis (job payloads would otherwise accumulate across runs). */
async function forgetQueues(redisUrl: string, prefix: string) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  for (const name of [INGEST_QUEUE, MAINTENANCE_QUEUE, BUDGETS_QUEUE, ALERTS_QUEUE, INSIGHTS_QUEUE, REPORTS_QUEUE]) {
    const queue = new Queue(name, { connection, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  connection.disconnect();
}

export async function workspaceWithKey(pool: Pool, scopes: Array<'ingest' | 'read' | 'admin'> = ['ingest']) {
  const ws = await ensureWorkspace(pool, `t-${randomUUID().slice(0, 12)}`);
  const { key } = await createApiKey(pool, ws.id, scopes);
  return { workspaceId: ws.id, key };
}

export function postEvents(apiUrl: string, key: string | undefined, body: unknown, contentType = 'application/json') {
  return fetch(`${apiUrl}/v1/events`, {
    method: 'POST',
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function storedCount(pool: Pool, workspaceId: string): Promise<number> {
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM usage_events WHERE workspace_id = $1', [workspaceId]);
  return rows[0].n;
}

/** POSTs a GraphQL request; returns the HTTP status and the parsed body. */
export async function graphqlRequest(apiUrl: string, key: string | undefined, query: string, variables: Record<string, unknown> = {}, path = '/graphql') {
  const res = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** A GraphQL request that must succeed: its `data` (the errors, if any, fail the test). */
export async function graphqlData(apiUrl: string, key: string, query: string, variables: Record<string, unknown> = {}) {
  const { body } = await graphqlRequest(apiUrl, key, query, variables);
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/**
 * Sends events (each given a fresh id) through the API in batches and waits
 * until the worker stored all of them.
 */
export async function ingestAndWait(p: Platform, ws: { workspaceId: string; key: string }, events: Array<Record<string, unknown>>, timeoutMs = 30_000) {
  const before = await storedCount(p.pool, ws.workspaceId);
  for (let i = 0; i < events.length; i += 5000) {
    const res = await postEvents(p.apiUrl, ws.key, events.slice(i, i + 5000).map((e) => ({ id: randomUUID(), ...e })));
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  }
  await waitFor(async () => (await storedCount(p.pool, ws.workspaceId)) === before + events.length, timeoutMs, 'events to be stored');
}
