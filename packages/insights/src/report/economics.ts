// The morning report's reconciliation and margin lines (issue 17), read from the same views as the
// reconciliation and profitability pages (`reconciliation`, `economics`; the API's
// Query.reconciliation and Query.economics ask them the same way): billed beside tracked for the
// reported day and the month to date, with the unattributed spend, and the month's revenue, true
// cost and margin with the least profitable customers. Bills and pools are per UTC day and month,
// so these lines use the report's date as a UTC day. Every figure is a database sum.
import { Decimal } from 'decimal.js';
import { type CubeQuery, type SemanticLayer, reconciliationMember as r } from '@spendgraph/semantic';

export const LEAST_PROFITABLE_N = 3;

export interface ReconciliationLine {
  from: string;
  to: string;
  billed: string;
  tracked: string;
  /** billed − tracked. */
  variance: string;
  /** variance / billed, 6 places; null when nothing was billed. */
  varianceShare: string | null;
  /** What the bill has and no event explains (the reconciliation's unattributed lines). */
  unattributed: string;
}

export interface MarginLine {
  from: string;
  to: string;
  revenue: string;
  directCost: string;
  allocatedCost: string;
  trueCost: string;
  margin: string;
  /** Customers by margin, lowest first. */
  leastProfitable: Array<{ customerId: string; revenue: string; trueCost: string; margin: string }>;
}

export interface EconomicsFigures {
  /** Null when no bill covers the range (nothing to reconcile). */
  reconciliation: { yesterday: ReconciliationLine | null; monthToDate: ReconciliationLine | null };
  /** Null when the month has neither revenue nor cost. */
  margin: MarginLine | null;
}

interface Scope { workspaceId: string; forDate: string; currency: string }
type Row = Record<string, string | number | boolean | null>;

const money = (v: unknown) => new Decimal(String(v ?? 0)).toFixed();
const e = (name: string) => `economics.${name}`;
const days = (from: string, to: string) => [from, `${to}T23:59:59.999`] as [string, string];

async function load(semantic: SemanticLayer, s: Scope, q: CubeQuery): Promise<Row[]> {
  return (await semantic.load({ ...q, timezone: 'UTC' }, { workspaceId: s.workspaceId }, { fresh: true })).data;
}

async function reconciliationLine(semantic: SemanticLayer, s: Scope, from: string, to: string): Promise<ReconciliationLine | null> {
  const base = { timeDimensions: [{ dimension: r('day'), dateRange: days(from, to) }], dimensions: [r('currency')] };
  const currency = { member: r('currency'), operator: 'equals', values: [s.currency] };
  const [[total], [unattributed]] = await Promise.all([
    load(semantic, s, { ...base, measures: [r('billed'), r('tracked'), r('variance'), r('variance_share')], filters: [currency] }),
    load(semantic, s, { ...base, measures: [r('billed')], filters: [currency, { member: r('unattributed'), operator: 'equals', values: ['true'] }] }),
  ]);
  if (!total) return null;
  const share = total[r('variance_share')];
  return {
    from, to, billed: money(total[r('billed')]), tracked: money(total[r('tracked')]), variance: money(total[r('variance')]),
    varianceShare: share === null || share === undefined ? null : new Decimal(String(share)).toFixed(6), unattributed: money(unattributed?.[r('billed')]),
  };
}

async function marginLine(semantic: SemanticLayer, s: Scope, from: string, to: string): Promise<MarginLine | null> {
  const measures = ['revenue', 'direct_cost', 'allocated_cost', 'true_cost', 'margin'].map(e);
  const base = { measures, timeDimensions: [{ dimension: e('day'), dateRange: days(from, to) }] };
  const currency = { member: e('currency'), operator: 'equals', values: [s.currency] };
  const [[total], customers] = await Promise.all([
    load(semantic, s, { ...base, filters: [currency] }),
    load(semantic, s, {
      ...base, dimensions: [e('customer_id')], filters: [currency, { member: e('customer_id'), operator: 'set' }],
      order: [[e('margin'), 'asc'], [e('customer_id'), 'asc']], limit: LEAST_PROFITABLE_N,
    }),
  ]);
  if (!total || (new Decimal(money(total[e('revenue')])).isZero() && new Decimal(money(total[e('true_cost')])).isZero())) return null;
  return {
    from, to, revenue: money(total[e('revenue')]), directCost: money(total[e('direct_cost')]), allocatedCost: money(total[e('allocated_cost')]),
    trueCost: money(total[e('true_cost')]), margin: money(total[e('margin')]),
    leastProfitable: customers.map((c) => ({ customerId: String(c[e('customer_id')]), revenue: money(c[e('revenue')]), trueCost: money(c[e('true_cost')]), margin: money(c[e('margin')]) })),
  };
}

export async function economicsFigures(semantic: SemanticLayer, s: Scope): Promise<EconomicsFigures> {
  const monthStart = `${s.forDate.slice(0, 7)}-01`;
  const [yesterday, monthToDate, margin] = await Promise.all([
    reconciliationLine(semantic, s, s.forDate, s.forDate), reconciliationLine(semantic, s, monthStart, s.forDate), marginLine(semantic, s, monthStart, s.forDate),
  ]);
  return { reconciliation: { yesterday, monthToDate }, margin };
}
