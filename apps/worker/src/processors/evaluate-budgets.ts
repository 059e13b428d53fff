// Evaluates budgets (all on schedule; one workspace's hard ones after a batch),
// then queues the new alerts' deliveries and tells the API's guard caches.
import type { Job, Queue } from 'bullmq';
import type { Logger } from 'pino';
import { announce, evaluateBudgets } from '@spendgraph/budgets';
import type { Pool } from '@spendgraph/db';
import type { DeliveryJobData, EvaluateBudgetsJobData, EvaluateBudgetsResult, Redis } from '@spendgraph/queue';
import type { SemanticLayer } from '@spendgraph/semantic';

export function evaluateBudgetsProcessor(deps: {
  pool: Pool;
  semantic: SemanticLayer;
  alerts: Queue<DeliveryJobData>;
  redis: Redis;
  log: Logger;
  /** Re-queues deliveries whose job was lost; run with every full evaluation. */
  requeueStaleDeliveries: () => Promise<number>;
}) {
  return async (job: Job<EvaluateBudgetsJobData, EvaluateBudgetsResult>): Promise<EvaluateBudgetsResult> => {
    const started = performance.now();
    const { workspaceId, hardOnly } = job.data;
    const result = await evaluateBudgets(deps, { workspaceId, hardOnly });
    await announce(result, deps);
    if (!workspaceId) await deps.requeueStaleDeliveries();
    const summary = { budgets: result.budgets, alerts: result.alerts, ms: Math.round(performance.now() - started) };
    if (result.alerts || !workspaceId) deps.log.info({ ...summary, workspaceId, hardOnly }, 'budgets evaluated');
    return summary;
  };
}
