// Insights jobs: anomaly detection (every ANOMALY_EVERY_MS), the morning report
// (a cron in a time zone) and report deliveries (one job per report and channel).
import { Queue, type QueueOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { queuePrefix } from './index.ts';

/** Anomaly detection and morning reports: scheduled, per workspace, reading the semantic layer. */
export const INSIGHTS_QUEUE = 'insights';
export const DETECT_ANOMALIES_JOB = 'detect-anomalies';
export const MORNING_REPORT_JOB = 'morning-report';

export interface DetectAnomaliesJobData {
  /** One workspace; all of them when absent (the schedule). */
  workspaceId?: string;
}

export interface DetectAnomaliesResult {
  workspaces: number;
  anomalies: number;
  ms: number;
}

export interface MorningReportJobData {
  /** Absent on the scheduled job, which queues one job per workspace. */
  workspaceId?: string;
  /** The moment the report is written at (ISO); it reports on the day before, in the report's time zone. */
  at?: string;
}

export interface MorningReportResult {
  queued?: number;
  reportId?: string;
  created?: boolean;
  deliveries?: number;
}

export function createInsightsQueue(connection: Redis, options: Partial<QueueOptions> = {}): Queue<DetectAnomaliesJobData | MorningReportJobData> {
  return new Queue(INSIGHTS_QUEUE, {
    connection,
    prefix: queuePrefix(),
    defaultJobOptions: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 }, attempts: 3, backoff: { type: 'exponential', delay: 5000 } },
    ...options,
  });
}

/** Report deliveries: like alert deliveries (the row id is the job id), on a queue of their own. */
export const REPORTS_QUEUE = 'report-deliveries';
export const DELIVER_REPORT_JOB = 'deliver-report';

export interface DeliverReportJobData {
  deliveryId: string;
}

export const REPORT_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 1000 },
} as const;

export function createReportsQueue(connection: Redis, options: Partial<QueueOptions> = {}): Queue<DeliverReportJobData> {
  return new Queue<DeliverReportJobData>(REPORTS_QUEUE, {
    connection,
    prefix: queuePrefix(),
    defaultJobOptions: REPORT_JOB_OPTIONS,
    ...options,
  });
}

/** Queues report delivery jobs; the delivery id is the job id, so queuing one twice is harmless. */
export async function queueReportDeliveries(queue: Queue<DeliverReportJobData>, deliveryIds: string[]): Promise<void> {
  if (!deliveryIds.length) return;
  await queue.addBulk(deliveryIds.map((deliveryId) => ({ name: DELIVER_REPORT_JOB, data: { deliveryId }, opts: { jobId: deliveryId } })));
}
