// Sends one message (an alert or a report) to one channel — a row of
// alert_deliveries or report_deliveries — and records the attempt. Failures are
// thrown so BullMQ retries them with backoff; the row turns 'failed' on the last
// attempt, or at once when retrying cannot help (UnrecoverableError).
import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import { type AlertChannel, type DeliveryTable, type Pool, recordDeliveryAttempt, stalePendingDeliveries } from '@spendgraph/db';
import { type DeliveryJobData, queueDeliveries } from '@spendgraph/queue';
import type { SendOutcome } from '../channels/index.ts';

export type DeliverResult =
  | { status: 'delivered'; httpStatus: number | null }
  | { status: 'skipped'; reason: 'missing' | 'already delivered' };

/** A delivery row with the message and channel it carries. */
interface Found {
  delivery: { id: string; status: string };
  channel: AlertChannel;
}

export function deliveryProcessor<F extends Found>(deps: {
  pool: Pool;
  table: DeliveryTable;
  /** The delivery with what it carries; undefined when it, its message or its channel is gone. */
  load: (deliveryId: string) => Promise<F | undefined>;
  send: (found: F) => Promise<SendOutcome>;
}) {
  return async (job: Job<DeliveryJobData>): Promise<DeliverResult> => {
    const found = await deps.load(job.data.deliveryId);
    if (!found) return { status: 'skipped', reason: 'missing' };
    // A duplicate job of a delivery that already went out.
    if (found.delivery.status === 'delivered') return { status: 'skipped', reason: 'already delivered' };

    const outcome = await attempt(deps.send, found);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await recordDeliveryAttempt(deps.pool, deps.table, found.delivery.id, {
      ok: outcome.ok, httpStatus: outcome.httpStatus, error: outcome.error, final: lastAttempt || !outcome.retryable,
    });
    if (outcome.ok) return { status: 'delivered', httpStatus: outcome.httpStatus };
    if (!outcome.retryable) throw new UnrecoverableError(outcome.error ?? 'failed');
    throw new Error(outcome.error ?? 'failed');
  };
}

async function attempt<F extends Found>(send: (found: F) => Promise<SendOutcome>, found: F): Promise<SendOutcome> {
  // A disabled channel keeps its row for the log, but nothing more goes out to it.
  if (!found.channel.enabled) return { ok: false, httpStatus: null, error: 'channel is disabled', retryable: false };
  try {
    return await send(found);
  } catch (e) {
    // Senders report failures as outcomes; anything thrown is unexpected, but still worth recording and retrying.
    return { ok: false, httpStatus: null, error: (e as Error).message, retryable: true };
  }
}

/**
 * Queues again the deliveries whose job was lost: still pending, untouched for
 * `olderThanMs` (the scheduled jobs call this). A finished job under the
 * delivery's id (it failed while the database was unreachable, say) would make
 * queuing a no-op, since the delivery id is the job id: it is removed first.
 */
export async function requeueStaleDeliveries(
  deps: { pool: Pool; table: DeliveryTable; queue: Queue<DeliveryJobData>; /** The job name its processor is under (default deliver). */ jobName?: string },
  olderThanMs: number,
): Promise<{ requeued: number }> {
  const ids = await stalePendingDeliveries(deps.pool, deps.table, olderThanMs);
  for (const id of ids) {
    const job = await deps.queue.getJob(id);
    if (job && ['completed', 'failed'].includes(await job.getState())) await job.remove();
  }
  await queueDeliveries(deps.queue, ids, deps.jobName);
  return { requeued: ids.length };
}
