// Queues again the deliveries whose job was lost: still pending, untouched
// for a while (the scheduled budget job calls this). A job finished under the
// delivery's id (it failed while the database was unreachable, say) would make
// queuing a no-op, since the delivery id is the job id: it is removed first.
import type { Queue } from 'bullmq';
import { type Pool, stalePendingDeliveries } from '@spendgraph/db';
import { type DeliverAlertJobData, queueDeliveries } from '@spendgraph/queue';

export async function requeueStaleDeliveries(
  deps: { pool: Pool; queue: Queue<DeliverAlertJobData> },
  olderThanMs: number,
): Promise<{ requeued: number }> {
  const ids = await stalePendingDeliveries(deps.pool, olderThanMs);
  await Promise.all(ids.map((id) => removeFinishedJob(deps.queue, id)));
  await queueDeliveries(deps.queue, ids);
  return { requeued: ids.length };
}

async function removeFinishedJob(queue: Queue<DeliverAlertJobData>, jobId: string): Promise<void> {
  const job = await queue.getJob(jobId);
  if (!job) return;
  const state = await job.getState();
  if (state === 'completed' || state === 'failed') await job.remove();
}
