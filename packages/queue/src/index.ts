// The contract between the API (producer) and the worker (consumer) of ingest jobs.
import { Queue, type QueueOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { IngestEvent } from '@spendgraph/schema';
import { INSIGHTS_QUEUE } from './insights.ts';

export type { Redis } from 'ioredis';

export const INGEST_QUEUE = 'ingest';

export interface IngestJobData {
  workspaceId: string;
  events: IngestEvent[];
}

/**
 * Events per ingest job. A request of up to 10,000 events becomes several jobs:
 * the worker then holds less at a time (its heap grows with job size), rows
 * become visible sooner, and a retry redoes less.
 */
export const INGEST_JOB_EVENTS = 1_000;

export interface IngestJobResult {
  inserted: number;
  duplicates: number;
  /** Events that could not be stored (ingest_dead_letters); the rest of the batch was. */
  deadLettered?: number;
}

/** Key prefix of every queue; tests and benchmarks use their own to stay apart. */
export function queuePrefix(): string {
  return process.env.QUEUE_PREFIX ?? 'spendgraph';
}

/**
 * Workers need blocking commands that wait for Redis to come back
 * (maxRetriesPerRequest: null). Producers must instead fail fast, so the API
 * can answer 503 rather than hold (and possibly lose) a request it cannot queue.
 */
export function redisConnection(url: string, role: 'producer' | 'worker', extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    ...(role === 'worker' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, enableOfflineQueue: false }),
    ...extra,
  });
}

export const INGEST_JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 500 },
  // A stored batch lives on in the database; keeping its payload (up to ~7 MB) in Redis
  // would only fill memory. The last few stay for inspection.
  removeOnComplete: { count: 100 },
  // Failed jobs stay in Redis with their reason until someone looks at them.
  removeOnFail: false,
} as const;

export function createIngestQueue(connection: Redis, options: Partial<QueueOptions> = {}): Queue<IngestJobData, IngestJobResult> {
  return new Queue<IngestJobData, IngestJobResult>(INGEST_QUEUE, {
    connection,
    prefix: queuePrefix(),
    defaultJobOptions: INGEST_JOB_OPTIONS,
    ...options,
  });
}

/** Scheduled upkeep (roll-up warming, later budget checks and reports): small, periodic jobs. */
export const MAINTENANCE_QUEUE = 'maintenance';
export const WARM_ROLLUPS_JOB = 'warm-rollups';
/** Raw events past their workspace's retention move into daily aggregates (same queue). */
export const APPLY_RETENTION_JOB = 'apply-retention';
/** An explicit repricing (its audit row's id is the job id; same queue). */
export const REPRICE_JOB = 'reprice';

export interface RepriceJobData {
  repricingId: string;
  workspaceId: string;
}

/**
 * Budget evaluations: all budgets on a schedule, and a workspace's hard budgets
 * after each ingested batch. A queue of their own, so that a long roll-up build
 * never delays a hard stop.
 */
export const BUDGETS_QUEUE = 'budgets';
export const EVALUATE_BUDGETS_JOB = 'evaluate-budgets';

export interface EvaluateBudgetsJobData {
  workspaceId?: string;
  hardOnly?: boolean;
}

export interface EvaluateBudgetsResult {
  budgets: number;
  alerts: number;
  ms: number;
}

export function createBudgetsQueue(connection: Redis, options: Partial<QueueOptions> = {}): Queue<EvaluateBudgetsJobData, EvaluateBudgetsResult> {
  return new Queue<EvaluateBudgetsJobData, EvaluateBudgetsResult>(BUDGETS_QUEUE, {
    connection,
    prefix: queuePrefix(),
    defaultJobOptions: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 }, attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
    ...options,
  });
}

/**
 * Asks for a check of the workspace's hard budgets after a batch was stored.
 * At most one waits per workspace while one runs (BullMQ deduplication keeping
 * the last): a burst of batches costs two evaluations, and none is missed.
 */
export async function requestHardBudgetCheck(queue: Queue<EvaluateBudgetsJobData, EvaluateBudgetsResult>, workspaceId: string): Promise<void> {
  await queue.add(EVALUATE_BUDGETS_JOB, { workspaceId, hardOnly: true }, { deduplication: { id: `hard:${workspaceId}`, keepLastIfActive: true } });
}

/** Redis pub/sub channel announcing a workspace whose budgets or budget status changed (message: its id). */
export function budgetsChangedChannel(): string {
  return `${queuePrefix()}:budgets-changed`;
}

/**
 * Deliveries of alerts and reports: one job per message and channel (its row in
 * alert_deliveries or report_deliveries; the row id is the job id), retried with backoff.
 */
export const ALERTS_QUEUE = 'alerts';
export const REPORTS_QUEUE = 'report-deliveries';
export const DELIVER_JOB = 'deliver';

export interface DeliveryJobData {
  deliveryId: string;
}

export const DELIVERY_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 1000 },
} as const;

function deliveryQueue(name: string, connection: Redis, options: Partial<QueueOptions>): Queue<DeliveryJobData> {
  return new Queue<DeliveryJobData>(name, { connection, prefix: queuePrefix(), defaultJobOptions: DELIVERY_JOB_OPTIONS, ...options });
}

export const createAlertsQueue = (connection: Redis, options: Partial<QueueOptions> = {}) => deliveryQueue(ALERTS_QUEUE, connection, options);
export const createReportsQueue = (connection: Redis, options: Partial<QueueOptions> = {}) => deliveryQueue(REPORTS_QUEUE, connection, options);

/** Queues delivery jobs; the delivery id is the job id, so queuing one twice is harmless. */
export async function queueDeliveries(queue: Queue<DeliveryJobData>, deliveryIds: string[]): Promise<void> {
  if (!deliveryIds.length) return;
  await queue.addBulk(deliveryIds.map((deliveryId) => ({ name: DELIVER_JOB, data: { deliveryId }, opts: { jobId: deliveryId } })));
}

export interface WarmRollupsResult {
  built: number;
  prunedDirtyMarks: number;
  ms: number;
}

export function createMaintenanceQueue(connection: Redis, options: Partial<QueueOptions> = {}): Queue {
  return new Queue(MAINTENANCE_QUEUE, {
    connection,
    prefix: queuePrefix(),
    // A failed run is retried by the next tick of its schedule; a short history is enough.
    defaultJobOptions: { removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } },
    ...options,
  });
}
export * from './insights.ts';

/** Every queue, for status and metrics. */
export const ALL_QUEUES = [INGEST_QUEUE, MAINTENANCE_QUEUE, BUDGETS_QUEUE, ALERTS_QUEUE, REPORTS_QUEUE, INSIGHTS_QUEUE] as const;
export * from './status.ts';
export * from './metrics.ts';
