// The FOCUS export's query: the members it groups by and measures, and the catalog's list rates
// (shared by the row path, focus.ts, and the COPY path, focus-copy.ts).
import { Decimal } from 'decimal.js';
import type { Pricer } from '@spendgraph/pricing';
import { ALLOCATION_FIELDS, TOKEN_TYPES, type TokenType, costColumn, noTokens, tokensColumn } from '@spendgraph/schema';
import { usageMember } from '@spendgraph/semantic';
import { TIME_DIMENSION } from '../query/query-args.ts';

export const D = Decimal.clone({ precision: 50 });
export const MILLION = new D(1_000_000);
/** Decimal places of a unit price that is an average (cost ÷ quantity). */
export const UNIT_PRICE_DP = 12;

export const TAG_PREFIX = 'x_spendgraph_';

export const METERS: Record<TokenType, string> = {
  input: 'Input Tokens',
  output: 'Output Tokens',
  cache_read: 'Cache Read Tokens',
  cache_write_5m: 'Cache Write (5 min) Tokens',
  cache_write_1h: 'Cache Write (1 h) Tokens',
  reasoning: 'Reasoning Tokens',
};

/** Dimensions that become `x_spendgraph_<name>` tags: the context, and the effort the call was made at. */
export const TAGGED_DIMENSIONS = [...ALLOCATION_FIELDS, 'effort'];
export const GROUP_DIMENSIONS = ['provider', 'model', 'kind', 'currency', 'price_source', 'price_version', ...TAGGED_DIMENSIONS, 'tags'];
export const MEASURES = [
  ...TOKEN_TYPES.flatMap((t) => [costColumn(t), tokensColumn(t)]), 'total_cost', 'total_tokens', 'calls',
];
/** Grouped by work item, the measures that add up over work items (see the header). */
export const allocated = (m: string) => usageMember(`work_item_${m}`);
export const HOUR = `${TIME_DIMENSION}.hour`;

/** The list rate per million tokens of one token type (catalog or price file; never the workspace's). */
export function catalogRate(list: Pricer, provider: string, model: string, type: TokenType, at: Date) {
  // One token prices at the base tier: a long-context tier depends on each call, which a charge row no longer has.
  const tokens = { ...noTokens(), [type]: 1 };
  const price = list.price({ provider, model, occurredAt: at, tokens });
  if (price.unpriced) return null;
  return { perMillion: new D(price.costs[type]).times(MILLION), currency: price.currency };
}
