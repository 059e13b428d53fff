// The worker as a table: queue -> job name -> processor, with each queue's worker
// options, its schedules and the WORKER_QUEUES name that starts it. main.ts runs it.
import type { Queue, RepeatOptions, Worker, WorkerOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { Pool } from '@spendgraph/db';
import { morningReportRepeat } from '@spendgraph/insights';
import { createPricer } from '@spendgraph/pricing';
import {
  APPLY_RETENTION_JOB, CHECK_BILL_VARIANCE_JOB, DELIVER_JOB, DELIVER_NOTIFICATION_JOB, DELIVER_VARIANCE_JOB, EVALUATE_ALERT_RULES_JOB, INVITATION_JOB, DETECT_ANOMALIES_JOB, type DeliveryJobData, EVALUATE_BUDGETS_JOB, type EvaluateBudgetsJobData,
  type EvaluateBudgetsResult, INGEST_BATCH_JOB, INGEST_REPLAY_JOB, type IngestJobResult, MORNING_REPORT_JOB, PULL_BILLS_JOB, type QueueDefinition, REPRICE_JOB,
  type Redis, WARM_ROLLUPS_JOB, alertsQueue, budgetsQueue, createIngestQueue, createInsightsQueue, ingestQueue, insightsQueue,
  maintenanceQueue, reportsQueue,
} from '@spendgraph/queue';
import type { SemanticLayer } from '@spendgraph/semantic';
import { createSender, mailer } from './channels/index.ts';
import type { WorkerConfig } from './config.ts';
import { applyRetentionProcessor } from './processors/apply-retention.ts';
import { checkBillVariance, checkBillVarianceProcessor } from './processors/check-bill-variance.ts';
import { deliverAlertProcessor } from './processors/deliver-alert.ts';
import { deliverInvitationProcessor } from './processors/deliver-invitation.ts';
import { requeueStaleDeliveries } from './processors/deliver.ts';
import { deliverNotificationProcessor } from './processors/deliver-notification.ts';
import { deliverReportProcessor } from './processors/deliver-report.ts';
import { deliverVarianceAlertProcessor } from './processors/deliver-variance-alert.ts';
import { detectAnomaliesProcessor } from './processors/detect-anomalies.ts';
import { evaluateAlertRulesProcessor } from './processors/evaluate-alert-rules.ts';
import { evaluateBudgetsProcessor } from './processors/evaluate-budgets.ts';
import { ingestProcessor } from './processors/ingest.ts';
import { morningReportProcessor } from './processors/morning-report.ts';
import { recoverFailedIngest } from './processors/recover-ingest.ts';
import { repriceProcessor } from './processors/reprice.ts';
import { billConnectors, pullBillsProcessor } from './processors/pull-bills.ts';
import { warmRollupsProcessor } from './processors/warm-rollups.ts';
import type { JobProcessors } from './route-jobs.ts';
import { workspacePricingLoader } from './workspace-pricing.ts';

/** A pending delivery untouched this long lost its job (a crash between commit and queue): queue it again. */
const STALE_DELIVERY_MS = 5 * 60_000;

/** What the processors of one process share. */
export interface WorkerContext {
  config: WorkerConfig;
  pool: Pool;
  log: Logger;
  /** A new Redis connection (BullMQ needs one per worker and queue). */
  connection: () => Redis;
  /** Cube's layer, created on first use: an ingest-only worker never loads it. */
  semantic: () => Promise<SemanticLayer>;
  /** Connection for pub/sub announcements. */
  publisher: Redis;
  /** Queues the processors add to. */
  budgets: Queue<EvaluateBudgetsJobData, EvaluateBudgetsResult>;
  alerts: Queue<DeliveryJobData>;
  reports: Queue<DeliveryJobData>;
  /** Runs `close` at shutdown, after the workers stopped. */
  onClose: (close: () => Promise<unknown>) => void;
}

export interface WorkerSpec<Q extends QueueDefinition = QueueDefinition> {
  /** The WORKER_QUEUES name that starts this worker. */
  group: WorkerConfig['WORKER_QUEUES'][number];
  queue: Q;
  options: Partial<WorkerOptions>;
  processors: (ctx: WorkerContext) => Promise<JobProcessors<Q>>;
  /** Job name -> its schedule; null removes it (a period of 0, a report turned off). One per job however many workers start. */
  schedules?: Record<string, RepeatOptions | null>;
  /** Work beside the worker (ingest: bringing back jobs that failed during an outage). */
  alongside?: (ctx: WorkerContext, worker: Worker) => void;
}

/** Checks one entry against its own queue (every job name has its processor). */
const spec = <Q extends QueueDefinition>(s: WorkerSpec<Q>): WorkerSpec => s;
const every = (ms: number): RepeatOptions | null => (ms > 0 ? { every: ms } : null);

export function workerTable(config: WorkerConfig): WorkerSpec[] {
  return [
    spec({
      group: 'ingest',
      queue: ingestQueue,
      // A crashed worker's jobs are redelivered once their lock lapses.
      options: { concurrency: config.WORKER_CONCURRENCY, lockDuration: config.WORKER_LOCK_DURATION_MS, stalledInterval: config.WORKER_LOCK_DURATION_MS },
      processors: async ({ pool, budgets, connection, onClose }) => {
        const insights = createInsightsQueue(connection());
        onClose(() => insights.close());
        const ingest = ingestProcessor({ pool, pricer: createPricer(), workspacePricing: workspacePricingLoader(pool), budgets, insights });
        return { [INGEST_BATCH_JOB]: ingest, [INGEST_REPLAY_JOB]: ingest };
      },
      alongside: recoverIngest,
    }),
    spec({
      group: 'maintenance',
      queue: maintenanceQueue,
      // Warming a large workspace's roll-ups can take minutes.
      options: { concurrency: 1, lockDuration: 10 * 60_000 },
      processors: async ({ pool, log, semantic, alerts }) => {
        const variance = { pool, semantic: await semantic(), alerts, log };
        return {
          [WARM_ROLLUPS_JOB]: warmRollupsProcessor({ semantic: await semantic(), log }),
          [APPLY_RETENTION_JOB]: applyRetentionProcessor({ pool, log }),
          [REPRICE_JOB]: repriceProcessor({ pool, pricer: createPricer(), semantic: await semantic(), log }),
          [PULL_BILLS_JOB]: pullBillsProcessor({ pool, config, log, afterImport: (d) => checkBillVariance(variance, d) }),
          [CHECK_BILL_VARIANCE_JOB]: checkBillVarianceProcessor(variance),
        };
      },
      schedules: {
        [WARM_ROLLUPS_JOB]: every(config.ROLLUP_WARM_EVERY_MS), [APPLY_RETENTION_JOB]: every(config.RETENTION_EVERY_MS),
        [PULL_BILLS_JOB]: billConnectors(config).length > 0 ? every(config.BILLS_PULL_EVERY_MS) : null,
      },
    }),
    spec({
      group: 'budgets',
      queue: budgetsQueue,
      options: { concurrency: 2, lockDuration: 5 * 60_000 },
      processors: async ({ pool, log, semantic, alerts, publisher }) => ({
        [EVALUATE_BUDGETS_JOB]: evaluateBudgetsProcessor({
          pool, semantic: await semantic(), alerts, redis: publisher, log,
          requeueStaleDeliveries: async () => (await requeueStaleDeliveries({ pool, table: 'alert_deliveries', queue: alerts }, STALE_DELIVERY_MS)).requeued
            + (await requeueStaleDeliveries({ pool, table: 'bill_variance_deliveries', queue: alerts, jobName: DELIVER_VARIANCE_JOB }, STALE_DELIVERY_MS)).requeued,
        }),
      }),
      schedules: { [EVALUATE_BUDGETS_JOB]: every(config.BUDGET_EVAL_EVERY_MS) },
    }),
    spec({
      group: 'alerts',
      queue: alertsQueue,
      options: { concurrency: 4 },
      processors: async ({ pool }) => ({
        [DELIVER_JOB]: deliverAlertProcessor({ pool, send: createSender(config.channels) }),
        [DELIVER_VARIANCE_JOB]: deliverVarianceAlertProcessor({ pool, send: createSender(config.channels) }),
        [DELIVER_NOTIFICATION_JOB]: deliverNotificationProcessor({ pool, send: createSender(config.channels) }),
        [INVITATION_JOB]: deliverInvitationProcessor(mailer(config.channels)),
      }),
    }),
    spec({
      group: 'alerts',
      queue: reportsQueue,
      options: { concurrency: 4 },
      processors: async ({ pool }) => ({ [DELIVER_JOB]: deliverReportProcessor({ pool, send: createSender(config.channels), webUrl: config.channels.webUrl }) }),
    }),
    spec({
      group: 'insights',
      queue: insightsQueue,
      options: { concurrency: 2, lockDuration: 10 * 60_000 },
      processors: async ({ pool, log, semantic, reports, alerts, connection, onClose }) => {
        const queue = createInsightsQueue(connection()); // the morning report's per-workspace jobs
        onClose(() => queue.close());
        return {
          [DETECT_ANOMALIES_JOB]: detectAnomaliesProcessor({
            pool, semantic: await semantic(), settings: config.insights.anomalies, log,
            requeueStaleReportDeliveries: async () => (await requeueStaleDeliveries({ pool, table: 'report_deliveries', queue: reports }, STALE_DELIVERY_MS)).requeued,
          }),
          [MORNING_REPORT_JOB]: morningReportProcessor({ pool, semantic: await semantic(), settings: config.insights, queue, deliveries: reports, log }),
          [EVALUATE_ALERT_RULES_JOB]: evaluateAlertRulesProcessor({
            pool, semantic: await semantic(), alerts, log,
            requeueStaleDeliveries: async () => (await requeueStaleDeliveries({ pool, table: 'notification_deliveries', queue: alerts, jobName: DELIVER_NOTIFICATION_JOB }, STALE_DELIVERY_MS)).requeued,
          }),
        };
      },
      schedules: {
        [DETECT_ANOMALIES_JOB]: every(config.ANOMALY_EVERY_MS),
        [MORNING_REPORT_JOB]: config.MORNING_REPORT_ENABLED ? morningReportRepeat(config.insights.morningReport) : null,
        [EVALUATE_ALERT_RULES_JOB]: every(config.ALERT_RULES_EVERY_MS),
      },
    }),
  ];
}

/** Logs each stored batch, and queues again the jobs that failed while the database was unavailable. */
function recoverIngest({ config, pool, log, connection, onClose }: WorkerContext, worker: Worker) {
  worker.on('completed', (job, result: IngestJobResult) => {
    if (result.deadLettered) log.warn({ job: job.id, ...result }, 'events of a batch could not be stored: see ingest_dead_letters');
    else log.debug({ job: job.id, ...result }, 'batch stored');
  });
  const queue = createIngestQueue(connection());
  const stop = recoverFailedIngest({
    pool, queue, everyMs: config.INGEST_RECOVER_EVERY_MS,
    onRetried: (n) => log.info({ jobs: n }, 'ingest jobs that failed while the database was unavailable are queued again'),
    onError: (err) => log.warn({ err: err.message }, 'could not look for failed ingest jobs'),
  });
  onClose(async () => {
    stop();
    await queue.close();
  });
}
