// The allocation rows of a batch: the shares of the calls done for several work items.
import type { WorkItemAllocationRow } from '@spendgraph/db';
import type { IngestEvent } from '@spendgraph/schema';

export function allocationRows(workspaceId: string, events: IngestEvent[]): WorkItemAllocationRow[] {
  return events.flatMap((e) => (e.work_items ?? []).map((a) => ({
    workspace_id: workspaceId, event_id: e.event_id, occurred_at: e.occurred_at, work_item: a.work_item, share: a.share,
  })));
}
