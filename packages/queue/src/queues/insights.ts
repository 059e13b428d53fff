// Insights jobs: anomaly detection (every ANOMALY_EVERY_MS) and the morning report
// (a cron in a time zone), per workspace, reading the semantic layer. Reports are
// delivered on the reports queue (deliveries.ts).
import type { Queue, QueueOptions } from 'bullmq';
import { z } from 'zod';
import type { Redis } from '../connection.ts';
import { defineQueue, openQueue } from '../define.ts';

export const DETECT_ANOMALIES_JOB = 'detect-anomalies';
export const MORNING_REPORT_JOB = 'morning-report';
/** Alert rules (issue 21): every enabled rule (or one workspace's), on a schedule. */
export const EVALUATE_ALERT_RULES_JOB = 'evaluate-alert-rules';

const isoTime = z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'not an ISO time');

export const detectAnomaliesJobData = z.object({
  /** One workspace; all of them when absent (the schedule). */
  workspaceId: z.string().min(1).optional(),
  /**
   * Every window overlapping [from, to) (ISO times) instead of today and yesterday: detection of
   * past days on demand (the detectAnomalies mutation) and of days whose events came in late (ingest).
   */
  from: isoTime.optional(),
  to: isoTime.optional(),
}).refine((d) => (d.from === undefined) === (d.to === undefined), 'from and to go together')
  .refine((d) => d.from === undefined || Date.parse(d.from) < Date.parse(d.to!), 'from must be before to')
  .nullish();
export type DetectAnomaliesJobData = NonNullable<z.infer<typeof detectAnomaliesJobData>>;

export interface DetectAnomaliesResult {
  workspaces: number;
  windows?: number;
  anomalies: number;
  ms: number;
}

export const morningReportJobData = z.object({
  /** Absent on the scheduled job, which queues one job per workspace. */
  workspaceId: z.string().min(1).optional(),
  /** The moment the report is written at (ISO); it reports on the day before, in the report's time zone. */
  at: z.string().optional(),
}).nullish();
export type MorningReportJobData = NonNullable<z.infer<typeof morningReportJobData>>;

export interface MorningReportResult {
  queued?: number;
  reportId?: string;
  created?: boolean;
  deliveries?: number;
}

export const evaluateAlertRulesJobData = z.object({
  /** One workspace; all of them when absent (the schedule). */
  workspaceId: z.string().min(1).optional(),
}).nullish();
export type EvaluateAlertRulesJobData = NonNullable<z.infer<typeof evaluateAlertRulesJobData>>;

export interface EvaluateAlertRulesResult {
  rules: number;
  notifications: number;
  deliveries: number;
  /** Rules that could not be evaluated (a member gone from the model, say): logged, the others still run. */
  failed: number;
}

export const INSIGHTS_QUEUE = 'insights';
export const insightsQueue = defineQueue({
  name: INSIGHTS_QUEUE,
  jobs: { [DETECT_ANOMALIES_JOB]: detectAnomaliesJobData, [MORNING_REPORT_JOB]: morningReportJobData, [EVALUATE_ALERT_RULES_JOB]: evaluateAlertRulesJobData },
  defaultJobOptions: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 }, attempts: 3, backoff: { type: 'exponential', delay: 5000 } },
});

export const createInsightsQueue = (connection: Redis, options: Partial<QueueOptions> = {}): Queue<DetectAnomaliesJobData | MorningReportJobData | EvaluateAlertRulesJobData> =>
  openQueue(insightsQueue, connection, options);
