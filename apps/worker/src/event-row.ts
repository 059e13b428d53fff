// Turns a validated event and the cost that applies to it (costOf, packages/pricing) into a stored row.
import type { IngestEvent } from '@spendgraph/schema';
import type { UsageEventRow } from '@spendgraph/db';
import type { AppliedCost } from '@spendgraph/pricing';

/**
 * One object literal, every column named (the row type makes a new column a compile error here):
 * the same row as spreading tokensColumns, the costs and contextColumns, without their objects.
 */
export function toRow(workspaceId: string, e: IngestEvent, costs: AppliedCost): UsageEventRow {
  const { tokens: t, context: c } = e;
  return {
    workspace_id: workspaceId,
    event_id: e.event_id,
    occurred_at: e.occurred_at,
    kind: e.kind,
    provider: e.provider,
    model: e.model,
    status: e.status,
    latency_ms: e.latency_ms,
    input_tokens: t.input, output_tokens: t.output, cache_read_tokens: t.cache_read,
    cache_write_5m_tokens: t.cache_write_5m, cache_write_1h_tokens: t.cache_write_1h, reasoning_tokens: t.reasoning,
    service_tier: e.service_tier ?? null,
    effort: e.effort ?? null,
    input_cost: costs.input_cost, output_cost: costs.output_cost, cache_read_cost: costs.cache_read_cost,
    cache_write_5m_cost: costs.cache_write_5m_cost, cache_write_1h_cost: costs.cache_write_1h_cost, reasoning_cost: costs.reasoning_cost,
    total_cost: costs.total_cost,
    currency: costs.currency,
    price_source: costs.price_source,
    price_version: costs.price_version,
    unpriced: costs.unpriced,
    space: c.space ?? null, plan_id: c.plan_id ?? null, task_id: c.task_id ?? null, task_type: c.task_type ?? null,
    workflow: c.workflow ?? null, step: c.step ?? null, agent: c.agent ?? null, user_id: c.user_id ?? null,
    customer_id: c.customer_id ?? null, feature: c.feature ?? null, session_id: c.session_id ?? null, work_item: c.work_item ?? null,
    source: e.source,
    tags: e.tags,
  } satisfies Required<Omit<UsageEventRow, 'fx_rate'>>;
}
