// Turns a validated event into a stored row: decides which cost applies and records why.
import type { IngestEvent } from '@spendgraph/schema';
import type { UsageEventRow } from '@spendgraph/db';
import type { PriceResult, Pricer } from '@spendgraph/pricing';
import type { WorkspacePricing } from './workspace-pricing.ts';

type CostColumns = Pick<
  UsageEventRow,
  | 'input_cost' | 'output_cost' | 'cache_read_cost' | 'cache_write_5m_cost' | 'cache_write_1h_cost' | 'reasoning_cost'
  | 'total_cost' | 'currency' | 'price_source' | 'price_version' | 'unpriced'
>;

const NO_TOKEN_COSTS = {
  input_cost: null, output_cost: null, cache_read_cost: null,
  cache_write_5m_cost: null, cache_write_1h_cost: null, reasoning_cost: null,
} as const;

function fromPrice(p: PriceResult & { unpriced: false }): CostColumns {
  return {
    input_cost: p.costs.input,
    output_cost: p.costs.output,
    cache_read_cost: p.costs.cache_read,
    cache_write_5m_cost: p.costs.cache_write_5m,
    cache_write_1h_cost: p.costs.cache_write_1h,
    reasoning_cost: p.costs.reasoning,
    total_cost: p.total,
    currency: p.currency,
    price_source: p.source,
    price_version: p.version,
    unpriced: false,
  };
}

function supplied(e: IngestEvent, cost: string): CostColumns {
  return { ...NO_TOKEN_COSTS, total_cost: cost, currency: e.currency, price_source: 'supplied', price_version: e.source, unpriced: false };
}

const UNPRICED: CostColumns = { ...NO_TOKEN_COSTS, total_cost: null, currency: 'USD', price_source: null, price_version: null, unpriced: true };

export function costOf(e: IngestEvent, pricer: Pricer, ws: WorkspacePricing): CostColumns {
  // A known cost is kept unless the workspace asks for catalog prices and the catalog has one.
  const canPrice = e.kind === 'model_call' && e.provider && e.model;
  if (e.cost !== null && !(ws.repriceSuppliedCosts && canPrice)) return supplied(e, e.cost);
  if (!canPrice) return UNPRICED;
  const price = pricer.price({
    provider: e.provider!,
    model: e.model!,
    occurredAt: new Date(e.occurred_at),
    tokens: e.tokens,
    workspaceOverrides: ws.overrides,
  });
  if (!price.unpriced) return fromPrice(price);
  return e.cost !== null ? supplied(e, e.cost) : UNPRICED;
}

export function toRow(workspaceId: string, e: IngestEvent, costs: CostColumns): UsageEventRow {
  const c = e.context;
  return {
    workspace_id: workspaceId,
    event_id: e.event_id,
    occurred_at: e.occurred_at,
    kind: e.kind,
    provider: e.provider,
    model: e.model,
    status: e.status,
    latency_ms: e.latency_ms,
    input_tokens: e.tokens.input,
    output_tokens: e.tokens.output,
    cache_read_tokens: e.tokens.cache_read,
    cache_write_5m_tokens: e.tokens.cache_write_5m,
    cache_write_1h_tokens: e.tokens.cache_write_1h,
    reasoning_tokens: e.tokens.reasoning,
    ...costs,
    space: c.space ?? null,
    plan_id: c.plan_id ?? null,
    task_id: c.task_id ?? null,
    task_type: c.task_type ?? null,
    workflow: c.workflow ?? null,
    step: c.step ?? null,
    agent: c.agent ?? null,
    user_id: c.user_id ?? null,
    customer_id: c.customer_id ?? null,
    feature: c.feature ?? null,
    session_id: c.session_id ?? null,
    work_item: c.work_item ?? null,
    source: e.source,
    tags: e.tags,
  };
}
