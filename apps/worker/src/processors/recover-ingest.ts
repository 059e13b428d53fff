// Ingest jobs that used up their attempts while the database was unavailable (an outage
// longer than the ~17 minutes of backoff) go back to the queue once it answers again,
// with a fresh set of attempts: an accepted batch is never left in the failed set.
// Other failures (a bug) stay failed, visible in systemStatus.
import type { Queue } from 'bullmq';
import type { Pool } from '@spendgraph/db';
import type { IngestJobData, IngestJobResult } from '@spendgraph/queue';
import { UNAVAILABLE } from './ingest.ts';

const PAGE = 500;

export async function retryFailedIngest(deps: { pool: Pool; queue: Queue<IngestJobData, IngestJobResult> }): Promise<number> {
  try {
    await deps.pool.query('SELECT 1');
  } catch {
    return 0; // still down: the next run looks again
  }
  let retried = 0;
  for (let start = 0; ;) {
    const jobs = await deps.queue.getFailed(start, start + PAGE - 1);
    if (!jobs.length) return retried;
    for (const job of jobs) {
      // Another worker may have retried it first.
      const moved = job.failedReason?.startsWith(UNAVAILABLE)
        && (await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }).then(() => true, () => false));
      if (moved) retried++;
      else start++; // it stays in the failed set, where the next page starts after it
    }
  }
}

/** Runs retryFailedIngest every `everyMs` (and once now); returns the stop function. */
export function recoverFailedIngest(deps: Parameters<typeof retryFailedIngest>[0] & { everyMs: number; onError: (err: Error) => void; onRetried: (n: number) => void }) {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const n = await retryFailedIngest(deps);
      if (n) deps.onRetried(n);
    } catch (err) {
      deps.onError(err as Error);
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(tick, deps.everyMs);
  return () => clearInterval(timer);
}
