// Prices a queued batch and stores it. Safe to run twice for the same job
// (stalled-job recovery after a crash, retries): ids already stored are skipped.
// An event that cannot be priced or that the database refuses goes to the dead
// letters with its reason, the rest of the batch is stored: a job fails only when
// the database is unavailable, and such a job is retried once it is back (recover-ingest.ts).
import type { Job, Queue } from 'bullmq';
import {
  type DeadLetter, type NamedWork, type Pool, type StoreOutcome, type UsageEventRow, addDeadLetters, ensureNamedWork, isRefusedRow,
  insertAllocations, isUnavailable, storeUsageEvents,
} from '@spendgraph/db';
import { type Pricer, costOf } from '@spendgraph/pricing';
import {
  type EvaluateBudgetsJobData, type EvaluateBudgetsResult, type IngestJobData, type IngestJobResult, requestHardBudgetCheck,
} from '@spendgraph/queue';
import type { IngestEvent } from '@spendgraph/schema';
import { now as clockNow } from '@spendgraph/periods/clock';
import { allocationRows } from '../allocations.ts';
import { queueBackfillDetection } from '../backfill.ts';
import { namedWork } from '../named-work.ts';
import { toRow } from '../event-row.ts';
import type { WorkspacePricing } from '../workspace-pricing.ts';

/** Marks a job's failure as the database's unavailability, which recover-ingest.ts retries once it is back. */
export const UNAVAILABLE = 'database unavailable';

export function ingestProcessor(deps: {
  pool: Pool;
  pricer: Pricer;
  workspacePricing: (workspaceId: string) => Promise<WorkspacePricing>;
  /** Where the check of a workspace's hard budgets goes once new rows are stored. */
  budgets: Queue<EvaluateBudgetsJobData, EvaluateBudgetsResult>;
  /** Where anomaly detection of back-filled days goes (backfill.ts); none: not queued. */
  insights?: Queue;
  now?: () => Date;
}) {
  return async (job: Job<IngestJobData, IngestJobResult>): Promise<IngestJobResult> => {
    try {
      const { workspaceId, events } = job.data;
      const { rows, unpriceable } = priceEvents(workspaceId, events, deps.pricer, await deps.workspacePricing(workspaceId));
      // Before the events, so that a retry after a crash still creates what they name.
      const allocations = allocationRows(workspaceId, events);
      await ensureNamedWorkOrSkip(deps.pool, workspaceId, namedWork(rows, allocations));
      const outcome = await storeUsageEvents(deps.pool, rows, async (client, o) => {
        await addDeadLetters(client, [...unpriceable, ...refusedLetters(o, events)]);
        // Only those of rows stored now, whose days this transaction marks dirty: an allocation
        // added to an event stored before would change the work item roll-ups unmarked.
        if (allocations.length === 0) return; // nearly every batch: no key per stored row
        const stored = new Set(o.inserted.map((r) => `${r.event_id.toLowerCase()} ${new Date(r.occurred_at).getTime()}`));
        await insertAllocations(client, allocations.filter((a) => stored.has(`${a.event_id.toLowerCase()} ${new Date(a.occurred_at).getTime()}`)));
      });
      // Hard budgets are checked at once, not on the next schedule. (The rows' days are marked
      // dirty for the roll-ups by insertUsageEvents, in the same transaction as the rows.)
      if (outcome.inserted.length > 0) await requestHardBudgetCheck(deps.budgets, workspaceId);
      if (deps.insights) await queueBackfillDetection(deps.insights, workspaceId, outcome.inserted, deps.now?.() ?? clockNow());
      const deadLettered = unpriceable.length + outcome.refused.length;
      return { inserted: outcome.inserted.length, duplicates: rows.length - outcome.inserted.length - outcome.refused.length, deadLettered };
    } catch (err) {
      if (isUnavailable(err)) throw new Error(`${UNAVAILABLE}: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  };
}

/** A name the database refuses is skipped, not the batch: its events are refused too, and dead-lettered. */
async function ensureNamedWorkOrSkip(pool: Pool, workspaceId: string, work: NamedWork) {
  try {
    await ensureNamedWork(pool, workspaceId, work);
  } catch (err) {
    if (!isRefusedRow(err)) throw err;
    const none: NamedWork = { plans: [], tasks: [], workItems: [] };
    const one = [
      ...work.plans.map((plan) => ({ ...none, plans: [plan] })),
      ...work.tasks.map((task) => ({ ...none, tasks: [task] })),
      ...work.workItems.map((item) => ({ ...none, workItems: [item] })),
    ];
    for (const w of one) await ensureNamedWork(pool, workspaceId, w).catch((e) => { if (!isRefusedRow(e)) throw e; });
  }
}

/** Rows of the events that could be priced; the others become dead letters. */
function priceEvents(workspaceId: string, events: IngestEvent[], pricer: Pricer, ws: WorkspacePricing) {
  const rows: UsageEventRow[] = [];
  const unpriceable: DeadLetter[] = [];
  for (const e of events) {
    try {
      rows.push(toRow(workspaceId, e, costOf(e, pricer, ws)));
    } catch (err) {
      unpriceable.push(deadLetter(workspaceId, e, 'pricing', (err as Error).message));
    }
  }
  return { rows, unpriceable };
}

function refusedLetters(outcome: StoreOutcome, events: IngestEvent[]): DeadLetter[] {
  if (!outcome.refused.length) return [];
  const byId = new Map<string, IngestEvent>();
  for (const e of events) if (!byId.has(e.event_id.toLowerCase())) byId.set(e.event_id.toLowerCase(), e); // the first wins, as stored
  return outcome.refused.map(({ row, code, message }) => deadLetter(row.workspace_id, byId.get(row.event_id.toLowerCase())!, code, message));
}

const deadLetter = (workspaceId: string, e: IngestEvent, code: string, error: string): DeadLetter =>
  ({ workspaceId, eventId: e.event_id, occurredAt: e.occurred_at, event: e, code, error });
