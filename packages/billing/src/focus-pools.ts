// Cost pools from a FOCUS 1.x file (issue 17, shared costs): the infrastructure an AWS, Azure or
// GCP export (or a FinOps tool's) lists — a vector database, GPU hosts, observability — becomes
// one pool per value of a column (ServiceName unless another is chosen) and charge month (UTC,
// from ChargePeriodStart), its amount the exact sum of the lines' BilledCost (or EffectiveCost).
// Pools are USD only and hold at most 8 decimal places, so a group's sum is rounded to 1e-8
// (half even; a FOCUS amount rarely has more); a group whose net is not above zero (credits,
// free tiers) makes no pool and is reported as skipped. Errors name the line and column.
import { Decimal } from 'decimal.js';
import { type CsvRow, currency, day, money, readCsv } from './csv.ts';
import { BillParseError } from './line.ts';

export const FOCUS_POOL_COST_COLUMNS = ['BilledCost', 'EffectiveCost'] as const;
export type FocusPoolCostColumn = (typeof FOCUS_POOL_COST_COLUMNS)[number];

export interface FocusPoolOptions {
  /** The column whose value names the pool (default ServiceName). */
  groupBy?: string | undefined;
  /** The cost summed (default BilledCost). */
  cost?: FocusPoolCostColumn | undefined;
}

export interface ParsedPool {
  name: string;
  /** First day of the charge month, YYYY-MM-DD. */
  month: string;
  /** Decimal string above 0, at most 8 decimal places. */
  amount: string;
  /** Lines of the file summed into it. */
  lines: number;
}

export interface ParsedPools {
  pools: ParsedPool[];
  /** Groups whose net cost was not above zero: no pool. */
  skipped: ParsedPool[];
  /** Data lines read. */
  lines: number;
}

export const MAX_POOL_NAME = 200;
export const MAX_POOLS_PER_FILE = 1000;
const POOL_DP = 8;

/** The pool a line belongs to: the group column's value (or `(no <column>)`) and its month. */
function groupOf(row: CsvRow, groupBy: string): { name: string; month: string } {
  const name = row.get(groupBy) ?? `(no ${groupBy})`;
  if (name.length > MAX_POOL_NAME) throw new BillParseError(groupBy, `is longer than ${MAX_POOL_NAME} characters (a pool's name)`, row.line);
  const charged = currency(row, 'BillingCurrency');
  if (charged !== 'USD') throw new BillParseError('BillingCurrency', `'${charged}': cost pools are in USD only`, row.line);
  return { name, month: `${day(row, 'ChargePeriodStart').slice(0, 7)}-01` };
}

export function parseFocusPools(text: string, options: FocusPoolOptions = {}): ParsedPools {
  const groupBy = options.groupBy ?? 'ServiceName';
  const cost = options.cost ?? 'BilledCost';
  const { columns, rows } = readCsv(text, [['ChargePeriodStart'], [cost], ['BillingCurrency']]);
  if (!columns.includes(groupBy)) throw new BillParseError('group_by', `'${groupBy}' is not a column of the file (its header has ${columns.length} columns)`, 1);
  if (rows.length === 0) throw new BillParseError('csv', 'the file has a header and no lines', 1);
  const groups = new Map<string, { name: string; month: string; amount: Decimal; lines: number }>();
  for (const row of rows) {
    const g = groupOf(row, groupBy);
    const key = JSON.stringify([g.name, g.month]);
    const sum = groups.get(key) ?? { ...g, amount: new Decimal(0), lines: 0 };
    if (!groups.has(key)) {
      if (groups.size >= MAX_POOLS_PER_FILE) throw new BillParseError(groupBy, `more than ${MAX_POOLS_PER_FILE} pools (values × months) in one file`, row.line);
      groups.set(key, sum);
    }
    sum.amount = sum.amount.plus(money(row, cost));
    sum.lines += 1;
  }
  const all = [...groups.values()]
    .map((g) => ({ name: g.name, month: g.month, amount: g.amount.toDecimalPlaces(POOL_DP, Decimal.ROUND_HALF_EVEN).toFixed(), lines: g.lines }))
    .sort((a, b) => (a.month === b.month ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.month < b.month ? -1 : 1));
  return { pools: all.filter((p) => new Decimal(p.amount).gt(0)), skipped: all.filter((p) => !new Decimal(p.amount).gt(0)), lines: rows.length };
}
