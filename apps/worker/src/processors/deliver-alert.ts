// Sends one alert to one channel (a row of alert_deliveries) and records the
// attempt. Failures are thrown so BullMQ retries them with backoff; the row
// turns 'failed' on the last attempt, or at once when retrying cannot help.
import { type Job, UnrecoverableError } from 'bullmq';
import { type Pool, deliveryToSend, recordDeliveryAttempt } from '@spendgraph/db';
import type { DeliverAlertJobData } from '@spendgraph/queue';
import type { Outgoing, SendAlert, SendOutcome } from '../alerts/index.ts';

export type DeliverAlertResult =
  | { status: 'delivered'; httpStatus: number | null }
  | { status: 'skipped'; reason: 'missing' | 'already delivered' };

export function deliverAlertProcessor(deps: { pool: Pool; send: SendAlert }) {
  return async (job: Job<DeliverAlertJobData>): Promise<DeliverAlertResult> => {
    const found = await deliveryToSend(deps.pool, job.data.deliveryId);
    // Gone with its alert, channel or budget; or a duplicate job of a delivery that already went out.
    if (!found) return { status: 'skipped', reason: 'missing' };
    if (found.delivery.status === 'delivered') return { status: 'skipped', reason: 'already delivered' };

    const outcome = await attempt(deps.send, { deliveryId: found.delivery.id, alert: found.alert, channel: found.channel });
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await recordDeliveryAttempt(deps.pool, found.delivery.id, {
      ok: outcome.ok,
      httpStatus: outcome.httpStatus,
      error: outcome.error,
      final: lastAttempt || !outcome.retryable,
    });
    if (outcome.ok) return { status: 'delivered', httpStatus: outcome.httpStatus };
    if (!outcome.retryable) throw new UnrecoverableError(outcome.error ?? 'failed');
    throw new Error(outcome.error ?? 'failed');
  };
}

async function attempt(send: SendAlert, o: Outgoing): Promise<SendOutcome> {
  // A disabled channel keeps its row for the log, but nothing more goes out to it.
  if (!o.channel.enabled) return { ok: false, httpStatus: null, error: 'channel is disabled', retryable: false };
  try {
    return await send(o);
  } catch (e) {
    // Senders report failures as outcomes; anything thrown is unexpected, but still worth recording and retrying.
    return { ok: false, httpStatus: null, error: (e as Error).message, retryable: true };
  }
}
