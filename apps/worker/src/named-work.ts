// The plans, tasks and work items a batch of events names (created on ingest when unknown).
import type { NamedWork, UsageEventRow, WorkItemAllocationRow } from '@spendgraph/db';

export function namedWork(rows: UsageEventRow[], allocations: WorkItemAllocationRow[] = []): NamedWork {
  const plans = new Set<string>();
  const tasks = new Map<string, { id: string; planId: string | null; taskType: string | null }>();
  const workItems = new Set<string>();
  for (const r of rows) {
    if (r.plan_id) plans.add(r.plan_id);
    if (r.task_id && !tasks.has(r.task_id)) tasks.set(r.task_id, { id: r.task_id, planId: r.plan_id, taskType: r.task_type });
    if (r.work_item) workItems.add(r.work_item);
  }
  for (const a of allocations) workItems.add(a.work_item);
  return { plans: [...plans], tasks: [...tasks.values()], workItems: [...workItems] };
}
