// Prices a queued batch and stores it. Safe to run twice for the same job
// (stalled-job recovery after a crash, retries): rows already stored are skipped.
import type { Job } from 'bullmq';
import { type Pool, type UsageEventRow, ensureNamedWork, insertUsageEvents } from '@spendgraph/db';
import type { Pricer } from '@spendgraph/pricing';
import type { IngestJobData, IngestJobResult } from '@spendgraph/queue';
import { namedWork } from '../named-work.ts';
import { costOf, toRow } from '../price-event.ts';
import type { WorkspacePricing } from '../workspace-pricing.ts';

export function ingestProcessor(deps: {
  pool: Pool;
  pricer: Pricer;
  workspacePricing: (workspaceId: string) => Promise<WorkspacePricing>;
  /**
   * Called after new rows are stored: hard budgets are checked at once, not on the next
   * schedule. (The rows' days are marked dirty for the roll-ups by insertUsageEvents, in the
   * same transaction as the rows.)
   */
  onStored: (workspaceId: string, rows: UsageEventRow[]) => Promise<void>;
}) {
  return async (job: Job<IngestJobData, IngestJobResult>): Promise<IngestJobResult> => {
    const { workspaceId, events } = job.data;
    const ws = await deps.workspacePricing(workspaceId);
    const rows = events.map((e) => toRow(workspaceId, e, costOf(e, deps.pricer, ws)));
    // Before the events, so that a retry after a crash still creates what they name.
    await ensureNamedWork(deps.pool, workspaceId, namedWork(rows));
    const inserted = await insertUsageEvents(deps.pool, rows);
    if (inserted > 0) await deps.onStored(workspaceId, rows);
    return { inserted, duplicates: rows.length - inserted };
  };
}
