// After an evaluation: queue the deliveries of new alerts and send every API process
// the statuses just stored, so their guard caches deny at once, without reading them back
// (or, when budgets themselves changed, the workspace's id: the caches read them again).
import type { Queue } from 'bullmq';
import type { BudgetStatus } from '@spendgraph/db';
import { type BudgetStatusesMessage, type DeliveryJobData, type Redis, budgetsChangedChannel, queueDeliveries } from '@spendgraph/queue';
import type { EvaluationResult } from './evaluate.ts';

export async function announce(result: EvaluationResult, deps: { alerts: Queue<DeliveryJobData>; redis: Redis }): Promise<void> {
  await queueDeliveries(deps.alerts, result.deliveryIds);
  await Promise.all(result.workspaces.map((workspaceId) => {
    const covered = (s: BudgetStatus) => s.workspaceId === workspaceId || (result.covers?.[s.budgetId]?.includes(workspaceId) ?? false);
    const message: BudgetStatusesMessage = { workspaceId, statuses: result.statuses.filter(covered) };
    // Without statuses (budgets created, changed or deleted) the caches read the workspace's budgets again.
    return deps.redis.publish(budgetsChangedChannel(), message.statuses.length ? JSON.stringify(message) : workspaceId);
  }));
}
