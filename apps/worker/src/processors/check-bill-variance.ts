// After a bill import (upload or connector): a day × provider whose variance share
// |billed − tracked| / billed exceeds the workspace's threshold raises an alert through the
// workspace's alert channels. Figures come from the `reconciliation` view, the same measures
// the reconciliation page shows; an alert and its deliveries are recorded in one transaction
// and then queued (a day × provider fires once).
import type { Queue } from 'bullmq';
import { Decimal } from 'decimal.js';
import type { Logger } from 'pino';
import { type NewBillVarianceAlert, type Pool, billVarianceThreshold, recordBillVarianceAlerts, withTransaction } from '@spendgraph/db';
import { type CheckBillVarianceJobData, DELIVER_VARIANCE_JOB, type DeliveryJobData, queueDeliveries } from '@spendgraph/queue';
import { type SemanticLayer, reconciliationMember as r } from '@spendgraph/semantic';

export interface CheckBillVarianceDeps { pool: Pool; semantic: SemanticLayer; alerts: Queue<DeliveryJobData>; log: Logger }

/** The days × providers of [from, to] beyond `threshold` percent. */
async function beyond(semantic: SemanticLayer, d: CheckBillVarianceJobData, threshold: string): Promise<NewBillVarianceAlert[]> {
  const { data } = await semantic.load({
    measures: [r('billed'), r('tracked'), r('variance'), r('variance_share')],
    dimensions: [r('provider'), r('currency')],
    timeDimensions: [{ dimension: r('day'), granularity: 'day', dateRange: [d.from, `${d.to}T23:59:59.999`] }],
    timezone: 'UTC',
    limit: 50_000,
  }, { workspaceId: d.workspaceId });
  const limit = new Decimal(threshold).dividedBy(100);
  return data
    .filter((row) => row[r('variance_share')] != null && new Decimal(String(row[r('variance_share')])).abs().greaterThan(limit))
    .map((row) => ({
      workspaceId: d.workspaceId, day: String(row[r('day.day')]).slice(0, 10), provider: String(row[r('provider')]), currency: String(row[r('currency')]),
      billed: String(row[r('billed')]), tracked: String(row[r('tracked')]), variance: String(row[r('variance')]),
      varianceShare: String(row[r('variance_share')]), threshold,
    }));
}

export async function checkBillVariance(deps: CheckBillVarianceDeps, d: CheckBillVarianceJobData): Promise<{ alerts: number; deliveries: number }> {
  const threshold = await billVarianceThreshold(deps.pool, d.workspaceId);
  if (threshold === null) return { alerts: 0, deliveries: 0 };
  const found = await beyond(deps.semantic, d, threshold);
  const recorded = await withTransaction(deps.pool, (tx) => recordBillVarianceAlerts(tx, found));
  await queueDeliveries(deps.alerts, recorded.deliveryIds, DELIVER_VARIANCE_JOB);
  if (recorded.alerts > 0) deps.log.info({ workspaceId: d.workspaceId, alerts: recorded.alerts }, 'bill variance beyond the threshold');
  return { alerts: recorded.alerts, deliveries: recorded.deliveryIds.length };
}

export function checkBillVarianceProcessor(deps: CheckBillVarianceDeps) {
  return (job: { data: CheckBillVarianceJobData }) => checkBillVariance(deps, job.data);
}
