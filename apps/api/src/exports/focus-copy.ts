// The FOCUS export as CSV written by Postgres (COPY … TO STDOUT), as the events export is
// (copy-export.ts, ADR 0016): the inner query is the model's grouped query of the row path
// (focus.ts), and each group becomes its charge rows in SQL — one per token type with tokens, or
// one for a cost given as a whole — with the row path's column rules:
// - decimals as decimal.js' toFixed writes them (trim_scale: no trailing zeros), PricingQuantity
//   per million tokens, unit prices cost ÷ quantity rounded half up to 12 places;
// - ListCost: the applied cost unless the price is the workspace's, then the catalog's rate ×
//   the quantity. The catalog lives in JS (@spendgraph/pricing): its rates for the hours, providers
//   and models priced at workspace rates are looked up first and written into the statement;
// - Tags: the free tags with the context's `x_spendgraph_` keys (a JSON object; Postgres' jsonb
//   text orders the keys its own way);
// - text cells that come from events are neutralised against spreadsheet formulas as encode.ts does;
//   the workspace's own values are neutralised here and written in as literals.
// The cost pools' shares (focus-allocated.ts) follow the COPY's bytes, encoded by encode.ts.
import pg from 'pg';
import { DateTime } from 'luxon';
import type { Pool } from '@spendgraph/db';
import type { Pricer } from '@spendgraph/pricing';
import { TOKEN_TYPES, costColumn, tokensColumn } from '@spendgraph/schema';
import { type CubeQuery, type SemanticContext, type SemanticLayer, usageMember } from '@spendgraph/semantic';
import { columnTypes, copyOut, csvCell, plan } from './copy-export.ts';
import { csvText, neutraliseFormula } from './encode.ts';
import { DIRECT } from './focus-allocated.ts';
import { GROUP_DIMENSIONS, HOUR, MEASURES, METERS, TAGGED_DIMENSIONS, TAG_PREFIX, UNIT_PRICE_DP, allocated, catalogRate } from './focus-members.ts';
import type { ExportRow } from './tables.ts';

const TIMESTAMPTZ = 1184;
/** More places than any cost has, so a division is carried far past the unit price's 12 before it is rounded. */
const WIDE_ZERO = `0.${'0'.repeat(40)}`;
/** Past this many workspace-priced hour × model groups, the row path prices them (the statement would be too long). */
export const MAX_RATED_GROUPS = 20_000;

export interface FocusOwner { workspaceId: string; workspaceName: string; currency: string; list: Pricer }
/** A group priced at the workspace's rates: its hour (UTC, as the semantic layer gives it), provider and model. */
export interface RatedGroup { hour: string; provider: string; model: string }

/** A leading ' when the text's first character would start a spreadsheet formula (for text that is never a number). */
const quoteIfFormula = (sql: string) => `CASE WHEN left(${sql}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' ELSE '' END`;
const lit = (v: string | null) => (v === null ? 'NULL' : pg.escapeLiteral(v));
const literal = (v: string | null) => lit(v === null ? null : neutraliseFormula(v));
const decimal = (sql: string) => `CAST(trim_scale(${sql}) AS text)`;
const isoHour = (sql: string) => `to_char(${sql}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/** The catalog's list rates for the workspace-priced groups, as VALUES rows (only rates in the workspace's currency count). */
function rateRows(owner: FocusOwner, groups: RatedGroup[]): string[] {
  const rows: string[] = [];
  for (const g of groups) {
    const start = DateTime.fromISO(g.hour.replace(' ', 'T'), { zone: 'utc' });
    const at = start.toJSDate();
    const hour = start.toFormat('yyyy-MM-dd HH:mm:ss');
    for (const t of TOKEN_TYPES) {
      const rate = catalogRate(owner.list, g.provider, g.model, t, at);
      if (!rate || rate.currency !== owner.currency) continue;
      rows.push(`(TIMESTAMP ${lit(hour)}, ${lit(g.provider)}, ${lit(g.model)}, ${lit(t)}, CAST(${lit(rate.perMillion.toFixed())} AS numeric))`);
    }
  }
  return rows;
}

/**
 * What a group's rows share, worked out once per group (`OFFSET 0` keeps Postgres from folding it
 * into every row): its periods, tags and the text cells taken from its events (formula-guarded).
 */
function groupSql(ref: (m: string) => string, hour: string): string {
  const provider = ref('provider');
  const model = ref('model');
  const kind = ref('kind');
  const name = `coalesce(${provider}, 'Unspecified')`;
  const sku = `(coalesce(${provider}, ${kind}, '') || '/' || coalesce(${model}, ${kind}, '') || '/')`;
  // The context's keys in one object, its nulls dropped (one jsonb built per group, not one per key and concatenation).
  const context = TAGGED_DIMENSIONS.map((t) => `${lit(`${TAG_PREFIX}${t}`)}, CAST(${ref(t)} AS text)`).join(', ');
  const tags = [`coalesce(CAST(NULLIF(CAST(${ref('tags')} AS text), '') AS jsonb), '{}'::jsonb)`, `jsonb_strip_nulls(jsonb_build_object(${context}))`];
  const columns: Record<string, string> = {
    charge_start: isoHour(hour),
    charge_end: isoHour(`${hour} + interval '1 hour'`),
    billing_start: isoHour(`date_trunc('month', ${hour})`),
    billing_end: isoHour(`date_trunc('month', ${hour}) + interval '1 month'`),
    tags: `CAST(${tags.join(' || ')} AS text)`,
    provider_name: name,
    provider_cell: csvCell(name),
    resource_id: csvCell(`CASE WHEN ${provider} <> '' AND ${model} <> '' THEN ${provider} || '/' || ${model} END`),
    resource_name: csvCell(model),
    service_name: csvCell(`CASE WHEN ${kind} = 'model_call' THEN ${name} || ' models' ELSE ${name} || ' ' || coalesce(${kind}, '') END`),
    kind_cell: csvCell(kind),
    source_cell: csvCell(ref('price_source')),
    version_cell: csvCell(ref('price_version')),
    // ChargeDescription and SkuId hold ' (' or '/': never a number, never empty, so only their first character decides.
    desc_head: `${quoteIfFormula(`coalesce(${model}, ${kind}, '')`)} || coalesce(${model}, ${kind}, '')`,
    sku_head: `${quoteIfFormula(sku)} || ${sku}`,
  };
  return `LATERAL (SELECT ${Object.entries(columns).map(([k, v]) => `${v} AS ${k}`).join(', ')} OFFSET 0) g`;
}

/** The SQL of each FOCUS column over the charge rows (`q` the group, `g` its shared cells, `m` its meter, `rate` the catalog's). */
function cellsSql(ref: (m: string) => string, owner: FocusOwner): Record<string, string> {
  const model = ref('model');
  const kind = ref('kind');
  const source = ref('price_source');
  const version = ref('price_version');
  const tokens = 'm.token_type IS NOT NULL';
  const sku = `g.sku_head || coalesce(m.token_type, ${kind}, '')`;
  const catalog = `${source} = 'workspace' AND rate.per_million IS NOT NULL`;
  return {
    BilledCost: 'm.cost_text',
    BillingAccountId: literal(owner.workspaceId),
    BillingAccountName: literal(owner.workspaceName),
    BillingCurrency: literal(owner.currency),
    BillingPeriodStart: 'g.billing_start',
    BillingPeriodEnd: 'g.billing_end',
    ChargeCategory: `'Usage'`,
    ChargeClass: 'NULL',
    ChargeDescription: `g.desc_head || ' ' || m.meter_lower || ' (' || g.provider_name || ')'`,
    ChargeFrequency: `'Usage-Based'`,
    ChargePeriodStart: 'g.charge_start',
    ChargePeriodEnd: 'g.charge_end',
    ConsumedQuantity: decimal('m.quantity'),
    ConsumedUnit: `CASE WHEN ${tokens} THEN 'Tokens' ELSE 'Requests' END`,
    ContractedCost: 'm.cost_text',
    ContractedUnitPrice: 'm.unit_price',
    EffectiveCost: 'm.cost_text',
    InvoiceIssuerName: 'g.provider_cell',
    ListCost: `CASE WHEN ${catalog} THEN ${decimal('rate.per_million * m.pq')} ELSE m.cost_text END`,
    ListUnitPrice: `CASE WHEN ${catalog} THEN ${decimal('rate.per_million')} ELSE m.unit_price END`,
    PricingCategory: `CASE WHEN ${source} = 'supplied' THEN 'Other' ELSE 'Standard' END`,
    PricingCurrency: literal(owner.currency),
    PricingQuantity: decimal('m.pq'),
    PricingUnit: `CASE WHEN ${tokens} THEN '1M Tokens' ELSE 'Requests' END`,
    ProviderName: 'g.provider_cell',
    PublisherName: 'g.provider_cell',
    ResourceId: 'g.resource_id',
    ResourceName: 'g.resource_name',
    ResourceType: `CASE WHEN ${model} <> '' THEN 'Model' END`,
    ServiceCategory: `'AI and Machine Learning'`,
    ServiceName: 'g.service_name',
    ServiceProviderName: 'g.provider_cell',
    ServiceSubcategory: `CASE WHEN ${kind} = 'model_call' THEN 'Generative AI' ELSE 'Other (AI and Machine Learning)' END`,
    SkuId: sku,
    SkuMeter: 'm.meter',
    SkuPriceId: `${sku} || CASE WHEN ${version} <> '' THEN '@' || ${version} ELSE '' END`,
    SubAccountId: literal(owner.workspaceId),
    SubAccountName: literal(owner.workspaceName),
    Tags: 'g.tags',
    x_TokenType: 'm.token_type',
    x_Kind: 'g.kind_cell',
    x_Calls: `CAST(${ref('calls')} AS text)`,
    x_PriceSource: 'g.source_cell',
    x_PriceVersion: 'g.version_cell',
    x_ListCostBasis: `CASE WHEN ${source} IS DISTINCT FROM 'workspace' THEN (CASE WHEN ${source} = 'supplied' THEN 'billed' ELSE 'list' END) WHEN rate.per_million IS NOT NULL THEN 'catalog' ELSE 'billed' END`,
    ...Object.fromEntries(Object.entries(DIRECT).map(([k, v]) => [k, lit(v)])),
  };
}

/**
 * A group's meters: a row per token type with a cost and tokens (model calls at a price), else one for
 * its whole cost; with each meter's pricing quantity and its cost and unit price as text, worked out
 * once per meter (`OFFSET 0`: not again in every cell that shows them).
 */
function metersSql(ref: (m: string) => string): string {
  const num = (m: string) => `CAST(${ref(m)} AS numeric)`;
  const byType = `${ref('kind')} IS NOT DISTINCT FROM 'model_call' AND ${ref('price_source')} IS DISTINCT FROM 'supplied'`;
  const has = (t: (typeof TOKEN_TYPES)[number]) => `(${ref(costColumn(t))} IS NOT NULL AND coalesce(${num(tokensColumn(t))}, 0) > 0)`;
  const values = TOKEN_TYPES.map((t) => `(${lit(t)}, ${lit(METERS[t])}, ${lit(METERS[t].toLowerCase())}, ${num(costColumn(t))}, ${num(tokensColumn(t))})`);
  const unitPrice = `CASE WHEN x.pq = 0 THEN NULL ELSE ${decimal(`round((x.cost + ${WIDE_ZERO}) / x.pq, ${UNIT_PRICE_DP})`)} END`;
  return `LATERAL (SELECT x.*, ${decimal('x.cost')} AS cost_text, ${unitPrice} AS unit_price FROM (
    SELECT v.token_type, v.meter, v.meter_lower, v.cost, v.quantity, v.quantity * 0.000001 AS pq
      FROM (VALUES ${values.join(', ')}) v(token_type, meter, meter_lower, cost, quantity)
      WHERE ${byType} AND v.cost IS NOT NULL AND v.quantity > 0
    UNION ALL
    SELECT CASE WHEN t.total > 0 THEN 'all' END, CASE WHEN t.total > 0 THEN 'Tokens' ELSE 'Requests' END,
      CASE WHEN t.total > 0 THEN 'tokens' ELSE 'requests' END, ${num('total_cost')},
      CASE WHEN t.total > 0 THEN t.total ELSE ${num('calls')} END, CASE WHEN t.total > 0 THEN t.total * 0.000001 ELSE ${num('calls')} END
      FROM (SELECT coalesce(${num('total_tokens')}, 0) AS total) t
      WHERE NOT (${byType} AND (${TOKEN_TYPES.map(has).join(' OR ')}))
  ) x OFFSET 0) m`;
}

/** The COPY statement writing the FOCUS CSV of the query's groups (`columns` in order, with a header). */
export async function focusCopyStatement(
  pool: Pool, semantic: SemanticLayer, query: CubeQuery, ctx: SemanticContext, owner: FocusOwner, columns: string[], rated: RatedGroup[],
): Promise<string> {
  const planned = await plan(semantic, query, ctx);
  const member = (m: string) => (m === HOUR ? HOUR : MEASURES.includes(m) ? allocated(m) : usageMember(m));
  const ref = (m: string) => planned.refOf(member(m));
  const [hourType] = await columnTypes(pool, planned, [{ member: HOUR }]);
  const hour = hourType === TIMESTAMPTZ ? `(${planned.refOf(HOUR)} AT TIME ZONE 'UTC')` : planned.refOf(HOUR);
  const cells = cellsSql(ref, owner);
  const select = columns.map((c) => `${cells[c]} AS ${pg.escapeIdentifier(c)}`).join(', ');
  const provider = ref('provider');
  const rates = rateRows(owner, rated);
  const rate = rates.length
    ? `LEFT JOIN (VALUES ${rates.join(', ')}) rate(hour, provider, model, token_type, per_million)
        ON ${ref('price_source')} = 'workspace' AND rate.hour = ${hour} AND rate.provider = ${provider} AND rate.model = ${ref('model')} AND rate.token_type = m.token_type`
    : 'LEFT JOIN (SELECT CAST(NULL AS numeric) AS per_million) rate ON false';
  // The file's order is the query's (hour, provider, model), made whole by the rest of the group key: the order
  // Postgres groups in when the query asks for hour, provider, model first, so the grouping's one sort (324 k groups)
  // serves the file and the ~3 charge rows of each group follow it in their meters' order, unsorted. Ordering the
  // charge rows by the hour, provider and model alone sorted them again, ~1 GB of finished rows (external merge).
  const order = [HOUR, ...GROUP_DIMENSIONS].map((m) => `${ref(m)} ASC`).join(', ');
  return `COPY (SELECT ${select} FROM (${planned.sql}) q CROSS JOIN ${groupSql(ref, hour)} CROSS JOIN ${metersSql(ref)} ${rate} ORDER BY ${order}) TO STDOUT WITH (FORMAT csv, HEADER true)`;
}

/** The file: Postgres' bytes, then the cost pools' shares encoded as the row path encodes them. */
export async function* focusBytes(pool: Pool, statement: string, shares: ExportRow[], columns: string[]): AsyncGenerator<Buffer> {
  // No parallel workers: the grouping's Gather Merge waits on its worker for every tuple it merges, while the
  // leader streams the file; on a busy machine that wait took longer than the grouping itself (EXPLAIN ANALYZE
  // of 1 M events at load 20: the grouped query 27 s with one worker, 12 s without; the whole statement 47 → 32 s).
  yield* copyOut(pool, statement, { max_parallel_workers_per_gather: '0' });
  if (shares.length) yield Buffer.from(csvText(shares, columns, false));
}
