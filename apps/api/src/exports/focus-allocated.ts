// The FOCUS export's allocated rows (issue 17): each cost pool's share per value of its rule's
// dimension, as the model allocates it (the `economics` view's allocated_cost by pool and month),
// one FOCUS row per share beside the events' direct rows, so the file holds direct, allocated and
// true cost. In FinOps terms these are reallocated charges: a pool is a shared cost of a month (a
// recurring purchase: ChargeCategory Purchase, ChargeFrequency Recurring, the month as charge
// period), ServiceName the pool, and x_ columns say how it was split (x_CostType Allocated,
// x_AllocatedFromPool, x_AllocationMethod, x_AllocationBasis, x_AllocationDimension,
// x_AllocationValue). Their Tags carry the value under the same x_spendgraph_ key as direct rows.
import { Decimal } from 'decimal.js';
import { DateTime } from 'luxon';
import type { SemanticContext, SemanticLayer } from '@spendgraph/semantic';
import { argumentError } from '../query/errors.ts';
import type { ExportRow } from './tables.ts';

const E = (name: string) => `economics.${name}`;
const P = (name: string) => `cost_pools.${name}`;
/** A rule's dimension → the economics view's dimension and the Tags key direct rows use. */
const DIMENSIONS: Record<string, string> = { workflow: 'workflow', feature: 'feature', customer: 'customer_id', plan: 'plan_id' };
const LIMIT = 50_000;

export const ALLOCATION_COLUMNS = ['x_CostType', 'x_AllocatedFromPool', 'x_AllocationMethod', 'x_AllocationBasis', 'x_AllocationDimension', 'x_AllocationValue'] as const;

/** Direct rows' allocation columns. */
export const DIRECT: Record<(typeof ALLOCATION_COLUMNS)[number], string | null> = {
  x_CostType: 'Direct', x_AllocatedFromPool: null, x_AllocationMethod: null, x_AllocationBasis: null, x_AllocationDimension: null, x_AllocationValue: null,
};

interface Owner { workspaceId: string; workspaceName: string; tagPrefix: string }
type Rule = { method: string | null; measure: string | null; dimension: string | null };

const iso = (t: DateTime) => t.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");
const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** The rules of the pools, by name and month (YYYY-MM-DD). */
async function rules(semantic: SemanticLayer, ctx: SemanticContext, dateRange: [string, string] | undefined): Promise<Map<string, Rule>> {
  const { data } = await semantic.load({
    dimensions: [P('name'), P('method'), P('measure'), P('dimension')],
    timeDimensions: [{ dimension: P('month'), granularity: 'month', ...(dateRange ? { dateRange } : {}) }],
    timezone: 'UTC', limit: LIMIT,
  }, ctx);
  return new Map(data.map((r) => [JSON.stringify([r[P('name')], String(r[P('month.month')]).slice(0, 10)]),
    { method: text(r[P('method')]), measure: text(r[P('measure')]), dimension: text(r[P('dimension')]) }]));
}

/** Every allocated share of the range (pools dated on their month's first day), as FOCUS rows. */
export async function allocatedRows(semantic: SemanticLayer, ctx: SemanticContext, dateRange: [string, string] | undefined, o: Owner): Promise<ExportRow[]> {
  const values = Object.values(DIMENSIONS).map(E);
  const [{ data }, byPool] = await Promise.all([semantic.load({
    measures: [E('allocated_cost')],
    dimensions: [E('pool'), E('currency'), ...values],
    timeDimensions: [{ dimension: E('day'), granularity: 'month', ...(dateRange ? { dateRange } : {}) }],
    filters: [{ member: E('pool'), operator: 'set' }],
    order: [[E('day.month'), 'asc'], [E('pool'), 'asc'], ...values.map((v) => [v, 'asc'] as [string, 'asc'])],
    timezone: 'UTC', limit: LIMIT,
  }, ctx), rules(semantic, ctx, dateRange)]);
  if (data.length >= LIMIT) throw argumentError('RANGE_TOO_LARGE', 'to', `${LIMIT} allocated shares or more; ask for fewer months`);
  return data.map((r) => {
    const month = String(r[E('day.month')]).slice(0, 10);
    const pool = String(r[E('pool')]);
    const rule = byPool.get(JSON.stringify([pool, month])) ?? { method: null, measure: null, dimension: null };
    const member = rule.dimension ? DIMENSIONS[rule.dimension] : undefined;
    const value = member ? text(r[E(member)]) : null;
    return share(o, { month, pool, rule, member, value, currency: String(r[E('currency')]), amount: new Decimal(String(r[E('allocated_cost')])).toFixed() });
  });
}

interface Share { month: string; pool: string; rule: Rule; member: string | undefined; value: string | null; currency: string; amount: string }

function share(o: Owner, s: Share): ExportRow {
  const start = DateTime.fromISO(s.month, { zone: 'utc' });
  const [from, to] = [iso(start), iso(start.plus({ months: 1 }))];
  const over = s.rule.dimension ? `${s.rule.dimension} ${s.value ?? '(none)'}` : 'no rule';
  const tags = { [`${o.tagPrefix}pool`]: s.pool, ...(s.member && s.value !== null ? { [`${o.tagPrefix}${s.member}`]: s.value } : {}) };
  return {
    BilledCost: s.amount, BillingAccountId: o.workspaceId, BillingAccountName: o.workspaceName, BillingCurrency: s.currency,
    BillingPeriodStart: from, BillingPeriodEnd: to, ChargeCategory: 'Purchase', ChargeClass: null,
    ChargeDescription: `Share of cost pool ${s.pool} allocated to ${over}`, ChargeFrequency: 'Recurring',
    ChargePeriodStart: from, ChargePeriodEnd: to, ConsumedQuantity: null, ConsumedUnit: null,
    ContractedCost: s.amount, ContractedUnitPrice: null, EffectiveCost: s.amount, InvoiceIssuerName: 'Shared cost pool',
    ListCost: s.amount, ListUnitPrice: null, PricingCategory: null, PricingCurrency: s.currency, PricingQuantity: null, PricingUnit: null,
    ProviderName: 'Shared cost pool', PublisherName: 'Shared cost pool', ResourceId: `pool/${s.pool}/${s.month.slice(0, 7)}`, ResourceName: s.pool,
    ResourceType: 'Cost Pool', ServiceCategory: 'Other', ServiceName: s.pool, ServiceProviderName: 'Shared cost pool', ServiceSubcategory: null,
    SkuId: `pool/${s.pool}`, SkuMeter: null, SkuPriceId: null, SubAccountId: o.workspaceId, SubAccountName: o.workspaceName,
    Tags: JSON.stringify(tags), x_TokenType: null, x_Kind: 'allocation', x_Calls: null, x_PriceSource: null, x_PriceVersion: null, x_ListCostBasis: 'billed',
    x_CostType: 'Allocated', x_AllocatedFromPool: s.pool, x_AllocationMethod: s.rule.method, x_AllocationBasis: s.rule.measure,
    x_AllocationDimension: s.rule.dimension, x_AllocationValue: s.value,
  };
}
