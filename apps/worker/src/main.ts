// The worker process: runs the worker table (worker-table.ts) for the queues of
// WORKER_QUEUES, serves /metrics, and stops cleanly on SIGTERM.
import { flushCompileCache } from 'node:module';
import { Worker } from 'bullmq';
import { pino } from 'pino';
import { createPool } from '@spendgraph/db';
import { releaseStartupMemory } from '@spendgraph/env';
import {
  createAlertsQueue, createBudgetsQueue, createReportsQueue, metricsRegistry, openQueue, queueDepthMetric, queueInspector, queuePrefix,
  redisConnection,
} from '@spendgraph/queue';
import type { SemanticLayer } from '@spendgraph/semantic';
import { loadConfig } from './config.ts';
import { jobObserver, serveMetrics } from './metrics.ts';
import { routeJobs } from './route-jobs.ts';
import { type WorkerContext, type WorkerSpec, workerTable } from './worker-table.ts';

const config = loadConfig();
const log = pino({ level: config.LOG_LEVEL, base: { app: 'worker' } });
// Repricing and retention rewrite many rows in one statement: a longer bound than the API's.
const pool = createPool(config.DATABASE_URL, { max: config.WORKER_CONCURRENCY + 4, name: 'spendgraph-worker', statementTimeoutMs: 10 * 60_000 });
/** Run together at shutdown: a worker's close waits for its active jobs; unstarted ones stay queued. */
const closers: Array<() => Promise<unknown>> = [];
/** Connections reconnect on their own (jobs wait meanwhile); an outage is logged, not fatal. */
const connection = () => redisConnection(config.REDIS_URL, 'worker').on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));

/** Queues this process adds to (closed last, after the workers). */
const budgets = createBudgetsQueue(connection());
const alerts = createAlertsQueue(connection());
const reports = createReportsQueue(connection());
const publisher = connection();

const registry = metricsRegistry('worker');
const inspector = queueInspector(publisher);
queueDepthMetric(registry, inspector);
const observe = jobObserver(registry, publisher, log);

/** Cube's compiled model and orchestrator, created once for the jobs that query (roll-ups, budgets, insights). */
let semantic: Promise<SemanticLayer> | undefined;
function semanticLayer() {
  semantic ??= import('@spendgraph/semantic').then(({ createSemanticLayer, semanticOptions }) => createSemanticLayer(semanticOptions(config.DATABASE_URL, config)));
  return semantic;
}

const ctx: WorkerContext = {
  config, pool, log, connection, semantic: semanticLayer, publisher, budgets, alerts, reports, onClose: (close) => closers.push(close),
};

async function start(spec: WorkerSpec) {
  const queue = spec.queue.name;
  const w = new Worker(queue, routeJobs(spec.queue, await spec.processors(ctx)), { connection: connection(), prefix: queuePrefix(), ...spec.options });
  w.on('failed', (job, err) => log.warn({ queue, job: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'));
  w.on('error', (err) => log.error({ queue, err: err.message }, 'worker error'));
  observe(queue, w);
  closers.push(() => w.close());
  spec.alongside?.(ctx, w);
  await schedule(spec);
  log.info({ queue, concurrency: spec.options.concurrency ?? 1, schedules: spec.schedules }, 'worker started');
}

async function schedule(spec: WorkerSpec) {
  if (!spec.schedules) return;
  const queue = openQueue(spec.queue, connection());
  for (const [name, repeat] of Object.entries(spec.schedules)) {
    if (repeat) await queue.upsertJobScheduler(name, repeat, { name });
    else await queue.removeJobScheduler(name);
  }
  await queue.close();
}

for (const spec of workerTable(config)) if (config.WORKER_QUEUES.includes(spec.group)) await start(spec);
const stopMetrics = config.WORKER_METRICS_PORT ? await serveMetrics(registry, config.WORKER_METRICS_HOST, config.WORKER_METRICS_PORT, config.OPERATOR_TOKEN!) : async () => {};
log.info({ queues: config.WORKER_QUEUES, metrics_port: config.WORKER_METRICS_PORT || null }, 'worker ready');
flushCompileCache(); // NODE_COMPILE_CACHE's entries written now, not only at a clean exit (ADR 0031)
releaseStartupMemory();

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down: finishing active jobs');
  await Promise.all(closers.map((close) => close()));
  await Promise.all([budgets.close(), alerts.close(), reports.close(), inspector.close(), stopMetrics()]);
  publisher.disconnect();
  await (await semantic)?.close();
  await pool.end();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
