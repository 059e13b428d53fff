// Which cost an event carries, and why: the cost its caller supplied, a price from
// the sources (workspace rates > price file > catalog), or none (unpriced). One rule
// for ingest and for repricing stored events.
import { COST_COLUMNS, type CostColumn, TOKEN_TYPES, type TokenCounts, costColumn } from '@spendgraph/schema';
import type { PriceResult, PriceSource, Pricer } from './pricer.ts';
import type { ParsedPriceOverride } from './rates.ts';

/** What the rule reads of an event: an ingested one or a stored one. */
export interface CostInput {
  kind: string;
  provider: string | null;
  model: string | null;
  occurred_at: string | Date;
  tokens: TokenCounts;
  /** The tier the provider billed; absent or null: standard. */
  service_tier?: string | null;
  /** A cost the caller supplied (decimal string), in `currency`; null when none. */
  cost: string | null;
  currency: string;
  /** Where the event came from: the version of a supplied cost. */
  source: string;
}

/** A workspace's say in pricing: its negotiated rates and whether supplied costs are repriced. */
export interface WorkspacePricingPolicy {
  repriceSuppliedCosts: boolean;
  overrides: readonly ParsedPriceOverride[];
}

/** The cost columns of a stored event. */
export type AppliedCost = Record<CostColumn | 'total_cost', string | null> & {
  currency: string;
  price_source: PriceSource | 'supplied' | null;
  price_version: string | null;
  unpriced: boolean;
};

const NO_TOKEN_COSTS = Object.fromEntries(COST_COLUMNS.map((c) => [c, null])) as Record<CostColumn, null>;

const COST_OF = TOKEN_TYPES.map((t) => [t, costColumn(t)] as const);

function fromPrice(p: PriceResult & { unpriced: false }): AppliedCost {
  const out = {} as AppliedCost;
  for (const [t, column] of COST_OF) out[column] = p.costs[t];
  out.total_cost = p.total;
  out.currency = p.currency;
  out.price_source = p.source;
  out.price_version = p.version;
  out.unpriced = false;
  return out;
}

function supplied(e: CostInput, cost: string): AppliedCost {
  return { ...NO_TOKEN_COSTS, total_cost: cost, currency: e.currency, price_source: 'supplied', price_version: e.source, unpriced: false };
}

const UNPRICED: AppliedCost = { ...NO_TOKEN_COSTS, total_cost: null, currency: 'USD', price_source: null, price_version: null, unpriced: true };

export function costOf(e: CostInput, pricer: Pricer, ws: WorkspacePricingPolicy): AppliedCost {
  // A known cost is kept unless the workspace asks for catalog prices and the catalog has one.
  const canPrice = e.kind === 'model_call' && e.provider && e.model;
  if (e.cost !== null && !(ws.repriceSuppliedCosts && canPrice)) return supplied(e, e.cost);
  if (!canPrice) return UNPRICED;
  const price = pricer.price({
    provider: e.provider!,
    model: e.model!,
    occurredAt: new Date(e.occurred_at),
    tokens: e.tokens,
    serviceTier: e.service_tier,
    workspaceOverrides: ws.overrides,
  });
  if (!price.unpriced) return fromPrice(price);
  return e.cost !== null ? supplied(e, e.cost) : UNPRICED;
}
