// The allocation of a call to its work items (db/migrations/1765000300000_work_item_allocations.sql),
// written in the transaction that stores the call.
import type { PoolClient } from './pool.ts';

export interface WorkItemAllocationRow {
  workspace_id: string;
  event_id: string;
  occurred_at: string;
  work_item: string;
  /** Exact decimal string; a call's shares add up to 1. */
  share: string;
}

/**
 * Stores the allocations of the events that are stored (a row whose event was refused
 * leaves no orphan); a re-delivered batch adds nothing.
 */
export async function insertAllocations(client: PoolClient, rows: WorkItemAllocationRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO usage_event_work_items (workspace_id, event_id, occurred_at, work_item, share)
     SELECT a.* FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::numeric[])
                  AS a (workspace_id, event_id, occurred_at, work_item, share)
      WHERE EXISTS (SELECT 1 FROM usage_events e
                     WHERE e.workspace_id = a.workspace_id AND e.event_id = a.event_id AND e.occurred_at = a.occurred_at)
     ON CONFLICT DO NOTHING`,
    [rows.map((r) => r.workspace_id), rows.map((r) => r.event_id), rows.map((r) => r.occurred_at), rows.map((r) => r.work_item), rows.map((r) => r.share)],
  );
  // The calls that have allocation rows now say so (the `work_items` dimension reads those rows
  // only for them); a stored call re-sent with allocations is marked too.
  await client.query(
    `UPDATE usage_events e SET work_items_split = true
       FROM (SELECT DISTINCT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS k (workspace_id, event_id, occurred_at)) k
      WHERE e.workspace_id = k.workspace_id AND e.event_id = k.event_id AND e.occurred_at = k.occurred_at AND NOT e.work_items_split
        AND EXISTS (SELECT 1 FROM usage_event_work_items a
                     WHERE a.workspace_id = k.workspace_id AND a.event_id = k.event_id AND a.occurred_at = k.occurred_at)`,
    [rows.map((r) => r.workspace_id), rows.map((r) => r.event_id), rows.map((r) => r.occurred_at)],
  );
}
