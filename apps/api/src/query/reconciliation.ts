// Reconciliation with the provider's bill (issue 17): per UTC day × provider × model, billed,
// tracked and the variance — asked of the `reconciliation` view (cube/model/cubes/
// bill_reconciliation.yml), where the join of bill lines with tracked cost, the unattributed
// line and every sum live, in one snapshot. This module only checks the range and shapes rows.
import { Decimal } from 'decimal.js';
import { type CubeQuery, type QueryReader, type SemanticContext, type SemanticLayer, reconciliationMember as r } from '@spendgraph/semantic';
import { argumentError } from './errors.ts';

export interface ReconciliationArgs {
  from: string;
  to: string;
}

/** The parts of the answer the request reads: a statement no one reads is not run (each re-reads the period's events). */
export interface ReconciliationAsked { rows: boolean; accounts: boolean; totals: boolean }

const EVERYTHING: ReconciliationAsked = { rows: true, accounts: true, totals: true };

export interface AccountBilled { account: string; billed: string }

export interface ReconciliationTotal {
  currency: string;
  billed: string;
  tracked: string;
  /** billed − tracked. */
  variance: string;
  /** variance / billed, 6 places; null when nothing was billed. */
  varianceShare: string | null;
}

export interface ReconciliationRow extends ReconciliationTotal {
  day: string;
  provider: string;
  /** Null on the unattributed line. */
  model: string | null;
  unattributed: boolean;
  /** The billed figure by the bill's account (project, workspace, sub-account) where it names one. */
  accounts: AccountBilled[];
}

const MAX_DAYS = 366;
const MAX_ROWS = 50_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkRange(args: ReconciliationArgs): void {
  for (const field of ['from', 'to'] as const) {
    if (!DATE.test(args[field]) || Number.isNaN(Date.parse(`${args[field]}T00:00:00Z`))) throw argumentError('INVALID_ARGUMENT', field, `'${args[field]}' is not a date (YYYY-MM-DD)`);
  }
  const days = (Date.parse(args.to) - Date.parse(args.from)) / 86_400_000 + 1;
  if (days < 1) throw argumentError('INVALID_ARGUMENT', 'to', 'is before from');
  if (days > MAX_DAYS) throw argumentError('INVALID_ARGUMENT', 'to', `the range spans ${days} days; at most ${MAX_DAYS}`);
}

type Row = Record<string, string | number | boolean | null>;

const ROW_KEY = [r('provider'), r('currency'), r('unattributed'), r('model')];
const FIGURES = [r('billed'), r('tracked'), r('variance'), r('variance_share')];

async function load(reader: QueryReader, ctx: SemanticContext, args: ReconciliationArgs, dimensions: string[], byDay: boolean, filters: NonNullable<CubeQuery['filters']> = []): Promise<Row[]> {
  const { data } = await reader.load({
    measures: FIGURES,
    dimensions,
    timeDimensions: [{ dimension: r('day'), ...(byDay ? { granularity: 'day' } : {}), dateRange: [args.from, `${args.to}T23:59:59.999`] }],
    filters,
    order: [...(byDay ? [[r('day'), 'asc']] : []), ...dimensions.map((d) => [d, 'asc'])] as Array<[string, 'asc']>,
    timezone: 'UTC',
    limit: MAX_ROWS,
  }, ctx);
  if (data.length >= MAX_ROWS) throw argumentError('RANGE_TOO_LARGE', 'to', `more than ${MAX_ROWS} groups; ask for fewer days`);
  return data;
}

/** The database's decimal as the API writes it (no trailing zeros). */
const money = (v: unknown) => new Decimal(String(v ?? 0)).toFixed();
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const isTrue = (v: unknown) => v === true || v === 'true';
const keyOf = (row: Row) => JSON.stringify([String(row[r('day.day')]).slice(0, 10), ...ROW_KEY.map((d) => str(row[d]))]);

function figures(row: Row): ReconciliationTotal {
  const share = str(row[r('variance_share')]);
  return {
    currency: String(row[r('currency')]), billed: money(row[r('billed')]), tracked: money(row[r('tracked')]),
    variance: money(row[r('variance')]), varianceShare: share === null ? null : new Decimal(share).toFixed(6),
  };
}

export async function reconciliation(semantic: SemanticLayer, ctx: SemanticContext, args: ReconciliationArgs, asked: ReconciliationAsked = EVERYTHING) {
  checkRange(args);
  // One snapshot, one statement after another (it pins one connection); each statement reads the
  // period's events once, so only the ones the request reads run.
  const [groups, byAccount, totals] = await semantic.snapshot(async (reader) => [
    asked.rows ? await load(reader, ctx, args, ROW_KEY, true) : [],
    asked.rows && asked.accounts ? await load(reader, ctx, args, [...ROW_KEY, r('account')], true, [{ member: r('account'), operator: 'set' }]) : [],
    asked.totals ? await load(reader, ctx, args, [r('currency')], false) : [],
  ]);
  const accounts = new Map<string, AccountBilled[]>();
  for (const a of byAccount) {
    const list = accounts.get(keyOf(a)) ?? [];
    accounts.set(keyOf(a), [...list, { account: String(a[r('account')]), billed: money(a[r('billed')]) }]);
  }
  // Unattributed lines after the day's models: the view orders false before true.
  const rows: ReconciliationRow[] = groups.map((g) => ({
    day: String(g[r('day.day')]).slice(0, 10), provider: String(g[r('provider')]), model: str(g[r('model')]),
    unattributed: isTrue(g[r('unattributed')]), ...figures(g), accounts: accounts.get(keyOf(g)) ?? [],
  }));
  return { from: args.from, to: args.to, rows, totals: totals.map(figures) };
}
