// Scheduled upkeep (roll-up warming, retention, pulling provider bills), explicit repricings and bill variance checks: small jobs, one at a time.
import type { Queue, QueueOptions } from 'bullmq';
import { z } from 'zod';
import type { Redis } from '../connection.ts';
import { defineQueue, noPayload, openQueue } from '../define.ts';

export const WARM_ROLLUPS_JOB = 'warm-rollups';
/** Raw events past their workspace's retention move into daily aggregates. */
export const APPLY_RETENTION_JOB = 'apply-retention';
/** An explicit repricing (its audit row's id is the job id). */
export const REPRICE_JOB = 'reprice';
/** Pulls the configured providers' cost reports into provider bill lines (issue 17, reconciliation). */
export const PULL_BILLS_JOB = 'pull-bills';

/** After a bill import: alerts for days × providers whose variance exceeds the workspace's threshold. */
export const CHECK_BILL_VARIANCE_JOB = 'check-bill-variance';

const utcDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export const checkBillVarianceJobData = z.object({ workspaceId: z.uuid(), from: utcDay, to: utcDay });
export type CheckBillVarianceJobData = z.infer<typeof checkBillVarianceJobData>;

/** Queues the variance check of a bill import's days (from, to: UTC days, inclusive). */
export async function queueBillVarianceCheck(queue: Queue, data: CheckBillVarianceJobData): Promise<void> {
  await queue.add(CHECK_BILL_VARIANCE_JOB, checkBillVarianceJobData.parse(data), { attempts: 3, backoff: { type: 'exponential', delay: 2000 } });
}

export const repriceJobData = z.object({ repricingId: z.string().min(1), workspaceId: z.string().min(1) });
export type RepriceJobData = z.infer<typeof repriceJobData>;

export interface WarmRollupsResult {
  built: number;
  prunedDirtyMarks: number;
  ms: number;
}

export const MAINTENANCE_QUEUE = 'maintenance';
export const maintenanceQueue = defineQueue({
  name: MAINTENANCE_QUEUE,
  jobs: { [WARM_ROLLUPS_JOB]: noPayload, [APPLY_RETENTION_JOB]: noPayload, [REPRICE_JOB]: repriceJobData, [PULL_BILLS_JOB]: noPayload, [CHECK_BILL_VARIANCE_JOB]: checkBillVarianceJobData },
  // A failed run is retried by the next tick of its schedule; a short history is enough.
  defaultJobOptions: { removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } },
});

export const createMaintenanceQueue = (connection: Redis, options: Partial<QueueOptions> = {}): Queue =>
  openQueue(maintenanceQueue, connection, options);
