// Insights jobs: anomaly detection (every ANOMALY_EVERY_MS) and the morning report
// (a cron in a time zone); reports are delivered on REPORTS_QUEUE (index.ts).
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
