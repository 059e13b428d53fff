// Sends one report to one channel (a row of report_deliveries) and records the
// attempt, like alert deliveries: failures are thrown so BullMQ retries them;
// the row turns 'failed' on the last attempt, or at once when retrying cannot help.
import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import { type Pool, recordReportDeliveryAttempt, reportDeliveryToSend, stalePendingReportDeliveries } from '@spendgraph/db';
import { type DeliverReportJobData, queueReportDeliveries } from '@spendgraph/queue';
import type { SendOutcome } from '../alerts/index.ts';
import type { OutgoingReport, SendReport } from '../alerts/report.ts';

export type DeliverReportResult =
  | { status: 'delivered'; httpStatus: number | null }
  | { status: 'skipped'; reason: 'missing' | 'already delivered' };

export function deliverReportProcessor(deps: { pool: Pool; send: SendReport }) {
  return async (job: Job<DeliverReportJobData>): Promise<DeliverReportResult> => {
    const found = await reportDeliveryToSend(deps.pool, job.data.deliveryId);
    if (!found) return { status: 'skipped', reason: 'missing' };
    if (found.delivery.status === 'delivered') return { status: 'skipped', reason: 'already delivered' };

    const outcome = await attempt(deps.send, { deliveryId: found.delivery.id, report: found.report, channel: found.channel });
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await recordReportDeliveryAttempt(deps.pool, found.delivery.id, {
      ok: outcome.ok, httpStatus: outcome.httpStatus, error: outcome.error, final: lastAttempt || !outcome.retryable,
    });
    if (outcome.ok) return { status: 'delivered', httpStatus: outcome.httpStatus };
    if (!outcome.retryable) throw new UnrecoverableError(outcome.error ?? 'failed');
    throw new Error(outcome.error ?? 'failed');
  };
}

async function attempt(send: SendReport, o: OutgoingReport): Promise<SendOutcome> {
  if (!o.channel.enabled) return { ok: false, httpStatus: null, error: 'channel is disabled', retryable: false };
  try {
    return await send(o);
  } catch (e) {
    return { ok: false, httpStatus: null, error: (e as Error).message, retryable: true };
  }
}

/**
 * Queues again the report deliveries whose job was lost (pending, untouched for
 * `olderThanMs`); a finished job under the delivery's id is removed first, or
 * queuing would be a no-op (the delivery id is the job id).
 */
export async function requeueStaleReportDeliveries(
  deps: { pool: Pool; queue: Queue<DeliverReportJobData> },
  olderThanMs: number,
): Promise<{ requeued: number }> {
  const ids = await stalePendingReportDeliveries(deps.pool, olderThanMs);
  for (const id of ids) {
    const job = await deps.queue.getJob(id);
    if (job && ['completed', 'failed'].includes(await job.getState())) await job.remove();
  }
  await queueReportDeliveries(deps.queue, ids);
  return { requeued: ids.length };
}
