// FinOps FOCUS 1.2 export: one row per hour × provider × model × token type × tag
// set (and price version), streamed. The figures are the model's measures (cost and
// tokens per token type, `calls`) grouped by the hour and the dimensions below; this
// module only reshapes each group into one row per token type and names the FOCUS
// columns. Column rules we rely on are in focus-spec.ts (checked in the tests).
//
// - Tag set: the context an event names (space, plan, task, task type, workflow,
//   step, agent, user, customer, feature, work item) and its reasoning effort, plus its free
//   tags (the model's `tags` dimension, jsonb's canonical text). Sessions are left out: they are
//   observability, not cost allocation, and would make every row its own.
// - Work items: a call for several is split between their tag sets by its shares, so
//   costs, quantities and x_Calls are the work-item measures (cost × share, summed):
//   the rows add up exactly to the totals; a shared call's quantity and x_Calls are fractions.
// - Tags: free tags keep their keys (user-defined); the context keys carry
//   Spendgraph's prefix `x_spendgraph_` (provider-defined tags need one).
// - Costs: BilledCost = EffectiveCost = ContractedCost = the cost Spendgraph applied
//   (workspace negotiated rates included). ListCost: the applied cost when the applied
//   price is a list price (catalog, the repository's price file) or unknown otherwise
//   (a supplied cost); for workspace rates, the catalog rate × the quantity
//   (x_ListCostBasis says which). Unit prices are the cost per PricingUnit.
// - Unpriced events have no cost and FOCUS cost columns cannot be null: they are left
//   out, and their count is in the `x-spendgraph-unpriced-calls` header.
// - ServiceProviderName is FOCUS 1.3's name for ProviderName; both are given.
// - Direct and allocated cost (issue 17): these rows are the events' direct cost (x_CostType
//   Direct); without filters the export adds the cost pools' allocated shares as rows of their own
//   (focus-allocated.ts), so the file's BilledCost adds up to the true cost. Filters and key
//   restrictions name events, which pool shares are not: with either the shares are left out
//   (header `x-spendgraph-allocated-rows`).
import type { Decimal } from 'decimal.js';
import { DateTime } from 'luxon';
import { createPricer, type Pricer } from '@spendgraph/pricing';
import { getWorkspace, getWorkspaceSettings } from '@spendgraph/db';
import { TOKEN_TYPES, type TokenType, costColumn, tokensColumn } from '@spendgraph/schema';
import { type SemanticContext, usageMember } from '@spendgraph/semantic';
import { semanticCall } from '../query/errors.ts';
import { QueryArgs, TIME_DIMENSION } from '../query/query-args.ts';
import {
  D, GROUP_DIMENSIONS, HOUR, MEASURES, METERS, MILLION, TAGGED_DIMENSIONS, TAG_PREFIX, UNIT_PRICE_DP, allocated, catalogRate,
} from './focus-members.ts';
import type { ExportRequest } from './request.ts';
import { type Row, streamQuery } from './stream-query.ts';
import { type ExportRow, type Table, type TableDeps, refuse, selectColumns } from './tables.ts';
import { ALLOCATION_COLUMNS, DIRECT, allocatedRows } from './focus-allocated.ts';
import { MAX_RATED_GROUPS, type RatedGroup, focusBytes, focusCopyStatement } from './focus-copy.ts';

export const FOCUS_COLUMNS = [
  'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart',
  'ChargeCategory', 'ChargeClass', 'ChargeDescription', 'ChargeFrequency', 'ChargePeriodEnd', 'ChargePeriodStart',
  'ConsumedQuantity', 'ConsumedUnit', 'ContractedCost', 'ContractedUnitPrice', 'EffectiveCost', 'InvoiceIssuerName',
  'ListCost', 'ListUnitPrice', 'PricingCategory', 'PricingCurrency', 'PricingQuantity', 'PricingUnit', 'ProviderName', 'PublisherName',
  'ResourceId', 'ResourceName', 'ResourceType', 'ServiceCategory', 'ServiceName', 'ServiceProviderName', 'ServiceSubcategory',
  'SkuId', 'SkuMeter', 'SkuPriceId', 'SubAccountId', 'SubAccountName', 'Tags',
  'x_TokenType', 'x_Kind', 'x_Calls', 'x_PriceSource', 'x_PriceVersion', 'x_ListCostBasis', ...ALLOCATION_COLUMNS,
] as const;

/** `currency`: the workspace's reporting currency, the one every cost measure is in (ADR 0023). */
interface Context { workspaceId: string; workspaceName: string; currency: string; list: Pricer; periods: Map<string, Period> }

/** A charge hour's FOCUS periods, as text. */
interface Period { at: Date; chargeStart: string; chargeEnd: string; billingStart: string; billingEnd: string }

/** `bytes`: a CSV file written by Postgres (focus-copy.ts) rather than rows (the organization's export merges rows). */
export async function focusTable(deps: TableDeps, ctx: SemanticContext, req: ExportRequest, opts: { bytes?: boolean } = {}): Promise<Table> {
  refuse(req, ['measures', 'by', 'granularity', 'sort', 'limit'], 'FOCUS');
  const q = new QueryArgs(deps.semantic);
  const filters = q.filters(req.filters);
  const timeDimensions = q.timeRange(req.timeRange, req.names?.timeRange ?? 'timeRange') ?? [];
  const dateRange = timeDimensions[0]?.dateRange;
  const columns = selectColumns(FOCUS_COLUMNS, req.columns);
  // FOCUS periods are UTC instants; a timezone would only move the hour buckets.
  const base = { filters, timezone: 'UTC' };
  const unpriced = await semanticCall(q.origins, () => deps.semantic.load({
    ...base, measures: [usageMember('unpriced_calls')], timeDimensions }, ctx, { fresh: true }));
  const query = {
    ...base,
    measures: MEASURES.map(allocated),
    dimensions: GROUP_DIMENSIONS.map(usageMember),
    timeDimensions: [{ dimension: TIME_DIMENSION, granularity: 'hour' as const, ...(dateRange ? { dateRange } : {}) }],
    filters: [...filters, PRICED],
    // The time dimension by its own name: Cube reads `….hour` in an order as the first column (the provider).
    order: [[TIME_DIMENSION, 'asc'], [usageMember('provider'), 'asc'], [usageMember('model'), 'asc']] as Array<[string, 'asc']>,
  };
  const c: Context = {
    workspaceId: ctx.workspaceId,
    workspaceName: (await getWorkspace(deps.pool, ctx.workspaceId))?.name ?? ctx.workspaceId,
    currency: (await getWorkspaceSettings(deps.pool, ctx.workspaceId))?.currency ?? 'USD',
    list: createPricer(),
    periods: new Map(),
  };
  // Pools have no value for the dimensions filters and key restrictions name: their shares are left out then.
  const eventsOnly = filters.length > 0 || Object.keys(ctx.restriction ?? {}).length > 0;
  const shares = eventsOnly ? null
    : await allocatedRows(deps.semantic, ctx, dateRange as [string, string] | undefined, { workspaceId: c.workspaceId, workspaceName: c.workspaceName, tagPrefix: TAG_PREFIX });
  const headers = {
    'x-spendgraph-unpriced-calls': String(unpriced.data[0]?.[usageMember('unpriced_calls')] ?? 0),
    'x-spendgraph-allocated-rows': shares ? String(shares.length) : 'omitted: filters and key restrictions apply to events, not to cost pools',
  };
  // CSV: Postgres writes the rows (focus-copy.ts), unless too many groups are priced at workspace rates.
  const rated = opts.bytes ? await ratedGroups(deps, ctx, q, { ...base, dateRange }) : undefined;
  if (rated) {
    const statement = await semanticCall(q.origins, () => focusCopyStatement(deps.pool, deps.semantic, query, ctx, c, columns, rated));
    return { columns, rows: [], bytes: focusBytes(deps.pool, statement, shares ?? [], columns), headers };
  }
  const rows = await semanticCall(q.origins, () => streamQuery(deps.pool, deps.semantic, query, ctx));
  return { columns, rows: focusRows(rows, c, shares ?? []), headers };
}

const PRICED = { member: usageMember('unpriced'), operator: 'equals', values: ['false'] };

/** The hours, providers and models priced at the workspace's rates (their list cost is the catalog's), or undefined past MAX_RATED_GROUPS. */
async function ratedGroups(deps: TableDeps, ctx: SemanticContext, q: QueryArgs, o: { filters: ReturnType<QueryArgs['filters']>; timezone: string; dateRange: unknown }): Promise<RatedGroup[] | undefined> {
  const { data } = await semanticCall(q.origins, () => deps.semantic.load({
    measures: [usageMember('calls')], dimensions: [usageMember('provider'), usageMember('model')], timezone: o.timezone,
    timeDimensions: [{ dimension: TIME_DIMENSION, granularity: 'hour', ...(o.dateRange ? { dateRange: o.dateRange as [string, string] } : {}) }],
    filters: [...o.filters, PRICED, { member: usageMember('price_source'), operator: 'equals', values: ['workspace'] }],
    limit: MAX_RATED_GROUPS + 1,
  }, ctx, { fresh: true }));
  if (data.length > MAX_RATED_GROUPS) return undefined;
  return data.filter((r) => r[usageMember('provider')] && r[usageMember('model')])
    .map((r) => ({ hour: String(r[HOUR]), provider: String(r[usageMember('provider')]), model: String(r[usageMember('model')]) }));
}

async function* focusRows(batches: AsyncIterable<Row[]>, c: Context, shares: ExportRow[]): AsyncGenerator<ExportRow[]> {
  for await (const groups of batches) yield groups.flatMap((g) => chargesOf(g, c));
  if (shares.length) yield shares;
}

const cell = (g: Row, member: string) => (g[member] === null || g[member] === undefined ? null : String(g[member]));
/** A dimension of the group, or one of MEASURES (read from its allocated member). */
const text = (g: Row, m: string) => cell(g, MEASURES.includes(m) ? allocated(m) : usageMember(m));

/** The hour's periods, worked out once per hour (groups come in hour order; the map holds the current hour only). */
function periodOf(c: Context, hour: string): Period {
  let p = c.periods.get(hour);
  if (!p) {
    const start = DateTime.fromSQL(hour, { zone: 'utc' });
    p = {
      at: start.toJSDate(), chargeStart: iso(start), chargeEnd: iso(start.plus({ hours: 1 })),
      billingStart: iso(start.startOf('month')), billingEnd: iso(start.startOf('month').plus({ months: 1 })),
    };
    c.periods.clear();
    c.periods.set(hour, p);
  }
  return p;
}

/** One group's charges: a row per token type with tokens, or one row for a cost given as a whole. */
function chargesOf(g: Row, c: Context): ExportRow[] {
  const group = { period: periodOf(c, String(g[HOUR])), tags: JSON.stringify(tagsOf(g)) };
  const kind = text(g, 'kind')!;
  const source = text(g, 'price_source');
  const typed = TOKEN_TYPES.filter((t) => text(g, costColumn(t)) !== null && new D(text(g, tokensColumn(t)) ?? 0).gt(0));
  if (kind !== 'model_call' || source === 'supplied' || !typed.length) {
    const tokens = new D(text(g, 'total_tokens') ?? 0);
    const byTokens = tokens.gt(0);
    return [charge(g, c, group, {
      tokenType: byTokens ? 'all' : null, meter: byTokens ? 'Tokens' : 'Requests',
      quantity: byTokens ? tokens : new D(text(g, 'calls')!), cost: new D(text(g, 'total_cost')!),
    })];
  }
  return typed.map((t) => charge(g, c, group, {
    tokenType: t, meter: METERS[t], quantity: new D(text(g, tokensColumn(t))!), cost: new D(text(g, costColumn(t))!),
  }));
}

interface Meter { tokenType: TokenType | 'all' | null; meter: string; quantity: Decimal; cost: Decimal }

function charge(g: Row, c: Context, group: { period: Period; tags: string }, m: Meter): ExportRow {
  const { period } = group;
  const provider = text(g, 'provider');
  const model = text(g, 'model');
  const kind = text(g, 'kind')!;
  const source = text(g, 'price_source');
  const version = text(g, 'price_version');
  const currency = c.currency; // costs are converted to it, whatever the events were recorded in
  const tokens = m.tokenType !== null;
  const pricingQuantity = tokens ? m.quantity.dividedBy(MILLION) : m.quantity;
  const list = listCost(c, m, { provider, model, source, currency, at: period.at, pricingQuantity });
  const providerName = provider ?? 'Unspecified';
  const sku = [provider ?? kind, model ?? kind, m.tokenType ?? kind].join('/');
  return {
    BilledCost: m.cost.toFixed(),
    BillingAccountId: c.workspaceId,
    BillingAccountName: c.workspaceName,
    BillingCurrency: currency,
    BillingPeriodStart: period.billingStart,
    BillingPeriodEnd: period.billingEnd,
    ChargeCategory: 'Usage',
    ChargeClass: null,
    ChargeDescription: `${model ?? kind} ${m.meter.toLowerCase()} (${providerName})`,
    ChargeFrequency: 'Usage-Based',
    ChargePeriodStart: period.chargeStart,
    ChargePeriodEnd: period.chargeEnd,
    ConsumedQuantity: m.quantity.toFixed(),
    ConsumedUnit: tokens ? 'Tokens' : 'Requests',
    ContractedCost: m.cost.toFixed(),
    ContractedUnitPrice: unitPrice(m.cost, pricingQuantity),
    EffectiveCost: m.cost.toFixed(),
    InvoiceIssuerName: providerName,
    ListCost: list.cost.toFixed(),
    ListUnitPrice: list.unitPrice,
    PricingCategory: source === 'supplied' ? 'Other' : 'Standard',
    PricingCurrency: currency,
    PricingQuantity: pricingQuantity.toFixed(),
    PricingUnit: tokens ? '1M Tokens' : 'Requests',
    ProviderName: providerName,
    PublisherName: providerName,
    ResourceId: provider && model ? `${provider}/${model}` : null,
    ResourceName: model,
    ResourceType: model ? 'Model' : null,
    ServiceCategory: 'AI and Machine Learning',
    ServiceName: kind === 'model_call' ? `${providerName} models` : `${providerName} ${kind}`,
    ServiceProviderName: providerName,
    ServiceSubcategory: kind === 'model_call' ? 'Generative AI' : 'Other (AI and Machine Learning)',
    SkuId: sku,
    SkuMeter: m.meter,
    SkuPriceId: version ? `${sku}@${version}` : sku,
    SubAccountId: c.workspaceId,
    SubAccountName: c.workspaceName,
    Tags: group.tags,
    x_TokenType: m.tokenType,
    x_Kind: kind,
    x_Calls: text(g, 'calls'),
    x_PriceSource: source,
    x_PriceVersion: version,
    x_ListCostBasis: list.basis,
    ...DIRECT,
  };
}

const iso = (t: DateTime) => t.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'");

function unitPrice(cost: Decimal, quantity: Decimal): string | null {
  return quantity.isZero() ? null : cost.dividedBy(quantity).toDecimalPlaces(UNIT_PRICE_DP).toFixed();
}

interface ListInput { provider: string | null; model: string | null; source: string | null; currency: string; at: Date; pricingQuantity: Decimal }

/** The cost at list price, and where it comes from (see the header comment). */
function listCost(c: Context, m: Meter, x: ListInput): { cost: Decimal; unitPrice: string | null; basis: string } {
  const applied = { cost: m.cost, unitPrice: unitPrice(m.cost, x.pricingQuantity) };
  if (x.source !== 'workspace') return { ...applied, basis: x.source === 'supplied' ? 'billed' : 'list' };
  const rate = m.tokenType && m.tokenType !== 'all' && x.provider && x.model ? catalogRate(c.list, x.provider, x.model, m.tokenType, x.at) : null;
  if (!rate || rate.currency !== x.currency) return { ...applied, basis: 'billed' };
  return { cost: rate.perMillion.times(x.pricingQuantity), unitPrice: rate.perMillion.toFixed(), basis: 'catalog' };
}

function tagsOf(g: Row): Record<string, string | number | boolean | null> {
  const free = text(g, 'tags');
  const tags: Record<string, string | number | boolean | null> = free ? JSON.parse(free) : {};
  for (const d of TAGGED_DIMENSIONS) {
    const v = text(g, d);
    if (v !== null) tags[`${TAG_PREFIX}${d}`] = v;
  }
  return tags;
}
