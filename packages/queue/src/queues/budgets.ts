// Budget evaluations: all budgets on a schedule, and a workspace's hard budgets
// after each ingested batch. A queue of their own, so that a long roll-up build
// never delays a hard stop.
import type { Queue, QueueOptions } from 'bullmq';
import { z } from 'zod';
import { type Redis, queuePrefix } from '../connection.ts';
import { defineQueue, openQueue } from '../define.ts';

export const EVALUATE_BUDGETS_JOB = 'evaluate-budgets';

export const evaluateBudgetsJobData = z.object({
  /** One workspace; all of them when absent (the schedule). */
  workspaceId: z.string().min(1).optional(),
  hardOnly: z.boolean().optional(),
}).nullish();
export type EvaluateBudgetsJobData = NonNullable<z.infer<typeof evaluateBudgetsJobData>>;

export interface EvaluateBudgetsResult {
  budgets: number;
  alerts: number;
  ms: number;
}

export const BUDGETS_QUEUE = 'budgets';
export const budgetsQueue = defineQueue({
  name: BUDGETS_QUEUE,
  jobs: { [EVALUATE_BUDGETS_JOB]: evaluateBudgetsJobData },
  defaultJobOptions: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 }, attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
});

export const createBudgetsQueue = (connection: Redis, options: Partial<QueueOptions> = {}): Queue<EvaluateBudgetsJobData, EvaluateBudgetsResult> =>
  openQueue(budgetsQueue, connection, options);

/**
 * Asks for a check of the workspace's hard budgets after a batch was stored.
 * At most one waits per workspace while one runs (BullMQ deduplication keeping
 * the last): a burst of batches costs two evaluations, and none is missed.
 */
export async function requestHardBudgetCheck(queue: Queue<EvaluateBudgetsJobData, EvaluateBudgetsResult>, workspaceId: string): Promise<void> {
  await queue.add(EVALUATE_BUDGETS_JOB, { workspaceId, hardOnly: true }, { deduplication: { id: `hard:${workspaceId}`, keepLastIfActive: true } });
}

/**
 * Redis pub/sub channel announcing a workspace whose budgets or budget status changed. The message
 * is its id (its budgets are read again) or a BudgetStatusesMessage as JSON (an evaluation's statuses).
 */
export function budgetsChangedChannel(): string {
  return `${queuePrefix()}:budgets-changed`;
}

const nullableString = z.string().nullable();

/** The statuses an evaluation of a workspace's budgets just stored (budget_status rows, decimals as strings). */
export const budgetStatusesMessage = z.object({
  workspaceId: z.string(),
  statuses: z.array(z.object({
    budgetId: z.string(), workspaceId: z.string(), asOf: z.string(), periodKey: z.string(), periodStart: nullableString,
    periodEnd: nullableString, amount: z.string(), spend: z.string(), projectedSpend: nullableString,
    projectedCrossingAt: nullableString, reached: z.array(z.string()),
  })),
});
export type BudgetStatusesMessage = z.infer<typeof budgetStatusesMessage>;
