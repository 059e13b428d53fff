// After an evaluation: queue the deliveries of new alerts and tell every API
// process which workspaces' budget status changed (their guard caches reload).
import type { Queue } from 'bullmq';
import { type DeliveryJobData, type Redis, budgetsChangedChannel, queueDeliveries } from '@spendgraph/queue';
import type { EvaluationResult } from './evaluate.ts';

export async function announce(result: EvaluationResult, deps: { alerts: Queue<DeliveryJobData>; redis: Redis }): Promise<void> {
  await queueDeliveries(deps.alerts, result.deliveryIds);
  await Promise.all(result.workspaces.map((ws) => deps.redis.publish(budgetsChangedChannel(), ws)));
}
