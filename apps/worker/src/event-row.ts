// Turns a validated event and the cost that applies to it (costOf, packages/pricing) into a stored row.
import { type IngestEvent, contextColumns, tokensColumns } from '@spendgraph/schema';
import type { UsageEventRow } from '@spendgraph/db';
import type { AppliedCost } from '@spendgraph/pricing';

export function toRow(workspaceId: string, e: IngestEvent, costs: AppliedCost): UsageEventRow {
  return {
    workspace_id: workspaceId,
    event_id: e.event_id,
    occurred_at: e.occurred_at,
    kind: e.kind,
    provider: e.provider,
    model: e.model,
    status: e.status,
    latency_ms: e.latency_ms,
    ...tokensColumns(e.tokens),
    service_tier: e.service_tier ?? null,
    effort: e.effort ?? null,
    ...costs,
    ...contextColumns(e.context),
    source: e.source,
    tags: e.tags,
  };
}
