// Unit economics through the semantic layer (the `economics` view): direct, allocated and true
// cost, revenue and margin grouped by work dimensions. Every figure is a database sum.
import { Decimal } from 'decimal.js';
import type { SemanticContext, SemanticLayer } from '@spendgraph/semantic';
import { argumentError } from './errors.ts';

const VIEW = 'economics';
const m = (name: string) => `${VIEW}.${name}`;
export const ECONOMICS_DIMENSIONS = ['workflow', 'feature', 'customer_id', 'plan_id', 'pool', 'currency', 'month'] as const;
const MEASURES = ['direct_cost', 'allocated_cost', 'true_cost', 'revenue', 'margin'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_ROWS = 10_000;

export interface EconomicsArgs { from: string; to: string; by: string[] }

function check(args: EconomicsArgs) {
  for (const field of ['from', 'to'] as const) {
    if (!DATE.test(args[field]) || Number.isNaN(Date.parse(args[field])) || !new Date(args[field]).toISOString().startsWith(args[field])) throw argumentError('INVALID_ARGUMENT', field, `'${args[field]}' is not a date (YYYY-MM-DD)`);
  }
  if (args.to < args.from) throw argumentError('INVALID_ARGUMENT', 'to', 'is before from');
  if (args.by.length > 3) throw argumentError('INVALID_ARGUMENT', 'by', 'at most 3 dimensions');
  const unknown = args.by.find((d) => !(ECONOMICS_DIMENSIONS as readonly string[]).includes(d));
  if (unknown !== undefined) throw argumentError('INVALID_ARGUMENT', 'by', `'${unknown}' is not one of ${ECONOMICS_DIMENSIONS.join(', ')}`);
}

const money = (v: unknown) => new Decimal(String(v ?? 0)).toFixed();

export async function economics(semantic: SemanticLayer, ctx: SemanticContext, args: EconomicsArgs) {
  check(args);
  const byMonth = args.by.includes('month');
  const dimensions = args.by.filter((d) => d !== 'month').map(m);
  const { data } = await semantic.load({
    measures: MEASURES.map(m),
    dimensions,
    timeDimensions: [{ dimension: m('day'), ...(byMonth ? { granularity: 'month' } : {}), dateRange: [args.from, `${args.to}T23:59:59.999`] }],
    order: [[m('true_cost'), 'desc']],
    timezone: 'UTC',
    limit: MAX_ROWS + 1,
  }, ctx);
  if (data.length > MAX_ROWS) throw argumentError('RANGE_TOO_LARGE', 'by', `more than ${MAX_ROWS} groups; group by fewer dimensions or ask for fewer days`);
  return data.map((row) => ({
    key: args.by.map((d) => {
      const v = d === 'month' ? row[m('day.month')] : row[m(d)];
      if (v === null || v === undefined) return null;
      return d === 'month' ? String(v).slice(0, 7) : String(v);
    }),
    directCost: money(row[m('direct_cost')]), allocatedCost: money(row[m('allocated_cost')]), trueCost: money(row[m('true_cost')]),
    revenue: money(row[m('revenue')]), margin: money(row[m('margin')]),
  }));
}

/** What each pool allocated in its month, by pool id's name and month (YYYY-MM-01). */
export async function allocatedByPool(semantic: SemanticLayer, ctx: SemanticContext, months: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (months.length === 0) return out;
  const sorted = [...months].sort();
  const last = new Date(`${sorted.at(-1)}T00:00:00Z`);
  last.setUTCMonth(last.getUTCMonth() + 1);
  const { data } = await semantic.load({
    measures: [m('allocated_cost')],
    dimensions: [m('pool')],
    timeDimensions: [{ dimension: m('day'), granularity: 'month', dateRange: [sorted[0]!, new Date(last.getTime() - 1).toISOString().slice(0, 23)] }],
    filters: [{ member: m('pool'), operator: 'set' }],
    timezone: 'UTC',
    limit: MAX_ROWS,
  }, ctx);
  for (const row of data) out.set(JSON.stringify([row[m('pool')], String(row[m('day.month')]).slice(0, 10)]), money(row[m('allocated_cost')]));
  return out;
}
