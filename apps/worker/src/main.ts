import { type Queue, Worker, type WorkerOptions } from 'bullmq';
import { pino } from 'pino';
import { createPool } from '@spendgraph/db';
import { createPricer } from '@spendgraph/pricing';
import { insightsSettings, morningReportRepeat } from '@spendgraph/insights';
import {
  ALERTS_QUEUE, APPLY_RETENTION_JOB, BUDGETS_QUEUE, REPRICE_JOB, DETECT_ANOMALIES_JOB, EVALUATE_BUDGETS_JOB, INGEST_QUEUE, INSIGHTS_QUEUE, type IngestJobData,
  type IngestJobResult, MAINTENANCE_QUEUE, MORNING_REPORT_JOB, REPORTS_QUEUE, WARM_ROLLUPS_JOB, createAlertsQueue, createBudgetsQueue,
  createInsightsQueue, createMaintenanceQueue, createReportsQueue, metricsRegistry, queueDepthMetric, queueInspector, queuePrefix,
  createIngestQueue, redisConnection, requestHardBudgetCheck,
} from '@spendgraph/queue';
import type { SemanticLayer } from '@spendgraph/semantic';
import { alertsConfig, createSenders } from './alerts/index.ts';
import { createReportSenders } from './alerts/report.ts';
import { loadConfig } from './config.ts';
import { jobObserver, serveMetrics } from './metrics.ts';
import { applyRetentionProcessor } from './processors/apply-retention.ts';
import { deliverAlertProcessor } from './processors/deliver-alert.ts';
import { requeueStaleDeliveries } from './processors/deliver.ts';
import { deliverReportProcessor } from './processors/deliver-report.ts';
import { detectAnomaliesProcessor } from './processors/detect-anomalies.ts';
import { evaluateBudgetsProcessor } from './processors/evaluate-budgets.ts';
import { ingestProcessor } from './processors/ingest.ts';
import { recoverFailedIngest } from './processors/recover-ingest.ts';
import { morningReportProcessor } from './processors/morning-report.ts';
import { repriceProcessor } from './processors/reprice.ts';
import { warmRollupsProcessor } from './processors/warm-rollups.ts';
import { workspacePricingLoader } from './workspace-pricing.ts';

const config = loadConfig();
const log = pino({ level: config.LOG_LEVEL, base: { app: 'worker' } });
// Repricing and retention rewrite many rows in one statement: a longer bound than the API's.
const pool = createPool(config.DATABASE_URL, { max: config.WORKER_CONCURRENCY + 4, name: 'spendgraph-worker', statementTimeoutMs: 10 * 60_000 });
const closers: Array<() => Promise<unknown>> = [];
/** A pending delivery untouched this long lost its job (a crash between commit and queue): queue it again. */
const STALE_DELIVERY_MS = 5 * 60_000;
/** Connections reconnect on their own (jobs wait meanwhile); an outage is logged, not fatal. */
const connection = () => redisConnection(config.REDIS_URL, 'worker').on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));

/** Queues this process adds to (closed last, after the workers). */
const budgetsQueue = createBudgetsQueue(connection());
const alertsQueue = createAlertsQueue(connection());
const reportsQueue = createReportsQueue(connection());
const publisher = connection();

const registry = metricsRegistry('worker');
const inspector = queueInspector(publisher);
queueDepthMetric(registry, inspector);
const observe = jobObserver(registry, publisher, log);

/**
 * Cube's compiled model and orchestrator, created once for the jobs that query (roll-ups,
 * budgets, insights). Imported on first use: an ingest-only worker never loads Cube.
 */
let semantic: Promise<SemanticLayer> | undefined;
function semanticLayer() {
  semantic ??= import('@spendgraph/semantic').then(({ createSemanticLayer, semanticOptions }) => createSemanticLayer(semanticOptions(config.DATABASE_URL, config)));
  return semantic;
}

function worker<D, R>(queue: string, processor: (job: any) => Promise<R>, opts: Partial<WorkerOptions>) {
  const w = new Worker<D, R>(queue, processor, { connection: connection(), prefix: queuePrefix(), ...opts });
  w.on('failed', (job, err) => log.warn({ queue, job: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'));
  w.on('error', (err) => log.error({ queue, err: err.message }, 'worker error'));
  observe(queue, w);
  closers.push(() => w.close()); // waits for active jobs; unstarted ones stay queued
  return w;
}

/** One schedule per job however many workers start; a period of 0 removes it. */
async function schedule(queue: Queue, name: string, every: number) {
  if (every > 0) await queue.upsertJobScheduler(name, { every }, { name });
  else await queue.removeJobScheduler(name);
}

function startIngest() {
  const pricer = createPricer();
  const w = worker<IngestJobData, IngestJobResult>(
    INGEST_QUEUE,
    ingestProcessor({
      pool, pricer, workspacePricing: workspacePricingLoader(pool),
      onStored: async (workspaceId) => {
        await requestHardBudgetCheck(budgetsQueue, workspaceId);
      },
    }),
    // A crashed worker's jobs are redelivered once their lock lapses.
    { concurrency: config.WORKER_CONCURRENCY, lockDuration: config.WORKER_LOCK_DURATION_MS, stalledInterval: config.WORKER_LOCK_DURATION_MS },
  );
  w.on('completed', (job, result) => {
    if (result.deadLettered) log.warn({ job: job.id, ...result }, 'events of a batch could not be stored: see ingest_dead_letters');
    else log.debug({ job: job.id, ...result }, 'batch stored');
  });
  const queue = createIngestQueue(connection());
  const stopRecovery = recoverFailedIngest({
    pool, queue, everyMs: config.INGEST_RECOVER_EVERY_MS,
    onRetried: (n) => log.info({ jobs: n }, 'ingest jobs that failed while the database was unavailable are queued again'),
    onError: (err) => log.warn({ err: err.message }, 'could not look for failed ingest jobs'),
  });
  closers.push(async () => {
    stopRecovery();
    await queue.close();
  });
  log.info({ concurrency: config.WORKER_CONCURRENCY, catalog: pricer.catalogVersion }, 'ingest worker started');
}

async function startMaintenance() {
  const queue = createMaintenanceQueue(connection());
  const warm = warmRollupsProcessor({ semantic: await semanticLayer(), log });
  const retention = applyRetentionProcessor({ pool, log });
  const reprice = repriceProcessor({ pool, pricer: createPricer(), semantic: await semanticLayer(), log });
  const processor = (job: any): Promise<unknown> =>
    job.name === APPLY_RETENTION_JOB ? retention() : job.name === REPRICE_JOB ? reprice(job) : warm();
  // Warming a large workspace's roll-ups can take minutes.
  worker(MAINTENANCE_QUEUE, processor, { concurrency: 1, lockDuration: 10 * 60_000 });
  await schedule(queue, WARM_ROLLUPS_JOB, config.ROLLUP_WARM_EVERY_MS);
  await schedule(queue, APPLY_RETENTION_JOB, config.RETENTION_EVERY_MS);
  closers.push(() => queue.close());
  log.info({ every_ms: config.ROLLUP_WARM_EVERY_MS, retention_every_ms: config.RETENTION_EVERY_MS }, 'maintenance worker started');
}

async function startBudgets() {
  const processor = evaluateBudgetsProcessor({
    pool, semantic: await semanticLayer(), alerts: alertsQueue, redis: publisher, log,
    requeueStaleDeliveries: async () => (await requeueStaleDeliveries({ pool, table: 'alert_deliveries', queue: alertsQueue }, STALE_DELIVERY_MS)).requeued,
  });
  worker(BUDGETS_QUEUE, processor, { concurrency: 2, lockDuration: 5 * 60_000 });
  await schedule(budgetsQueue, EVALUATE_BUDGETS_JOB, config.BUDGET_EVAL_EVERY_MS);
  log.info({ every_ms: config.BUDGET_EVAL_EVERY_MS }, 'budget worker started');
}

function startAlerts() {
  worker(ALERTS_QUEUE, deliverAlertProcessor({ pool, send: createSenders(alertsConfig()) }), { concurrency: 4 });
  worker(REPORTS_QUEUE, deliverReportProcessor({ pool, send: createReportSenders(alertsConfig()) }), { concurrency: 4 });
  log.info('alert and report delivery worker started');
}

async function startInsights() {
  const settings = insightsSettings();
  const queue = createInsightsQueue(connection());
  const semantic = await semanticLayer();
  const detect = detectAnomaliesProcessor({
    pool, semantic, settings: settings.anomalies, log,
    requeueStaleReportDeliveries: async () => (await requeueStaleDeliveries({ pool, table: 'report_deliveries', queue: reportsQueue }, STALE_DELIVERY_MS)).requeued,
  });
  const report = morningReportProcessor({ pool, semantic, settings, queue, deliveries: reportsQueue, log });
  const processor = (job: any): Promise<unknown> => (job.name === DETECT_ANOMALIES_JOB ? detect(job) : report(job));
  worker(INSIGHTS_QUEUE, processor, { concurrency: 2, lockDuration: 10 * 60_000 });
  await schedule(queue, DETECT_ANOMALIES_JOB, config.ANOMALY_EVERY_MS);
  if (config.MORNING_REPORT_ENABLED) await queue.upsertJobScheduler(MORNING_REPORT_JOB, morningReportRepeat(settings.morningReport), { name: MORNING_REPORT_JOB });
  else await queue.removeJobScheduler(MORNING_REPORT_JOB);
  closers.push(() => queue.close());
  log.info({ every_ms: config.ANOMALY_EVERY_MS, morning_report: config.MORNING_REPORT_ENABLED && settings.morningReport }, 'insights worker started');
}

if (config.WORKER_QUEUES.includes('ingest')) startIngest();
if (config.WORKER_QUEUES.includes('maintenance')) await startMaintenance();
if (config.WORKER_QUEUES.includes('budgets')) await startBudgets();
if (config.WORKER_QUEUES.includes('alerts')) startAlerts();
if (config.WORKER_QUEUES.includes('insights')) await startInsights();
const stopMetrics = config.WORKER_METRICS_PORT ? await serveMetrics(registry, config.WORKER_METRICS_HOST, config.WORKER_METRICS_PORT, config.OPERATOR_TOKEN!) : async () => {};
log.info({ metrics_port: config.WORKER_METRICS_PORT || null }, 'worker ready');

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down: finishing active jobs');
  await Promise.all(closers.map((close) => close()));
  await Promise.all([budgetsQueue.close(), alertsQueue.close(), reportsQueue.close(), inspector.close(), stopMetrics()]);
  publisher.disconnect();
  await (await semantic)?.close();
  await pool.end();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
