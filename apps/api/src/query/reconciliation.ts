// Reconciliation with the provider's bill (issue 17): per UTC day × provider × model, what the
// bill says (`bills.billed`) beside what events say (`usage.total_cost`, the same measure every
// other surface reads), both through the semantic layer in one snapshot.
//
// Bill lines no event explains — a line naming no model (fees, tools, other services) or a
// model no event of that day and provider used — are summed into that day's "unattributed"
// line, so the rows' billed figures add up to the invoice exactly, and per day tracked +
// variance = billed. Events are counted only on days and providers a bill covers. Model names
// meet without their date suffix (`gpt-4o-mini-2024-07-18` is `gpt-4o-mini`).
import { Decimal } from 'decimal.js';
import { type QueryReader, type SemanticContext, type SemanticLayer, billsMember, usageMember } from '@spendgraph/semantic';
import { argumentError } from './errors.ts';

export interface ReconciliationArgs {
  from: string;
  to: string;
}

export interface AccountBilled { account: string; billed: string }

export interface ReconciliationRow {
  day: string;
  provider: string;
  /** Null on the unattributed line. */
  model: string | null;
  unattributed: boolean;
  currency: string;
  billed: string;
  tracked: string;
  /** billed − tracked. */
  variance: string;
  /** variance / billed, 6 places; null when nothing was billed. */
  varianceShare: string | null;
  /** The billed figure by the bill's account (project, workspace, sub-account) where it names one. */
  accounts: AccountBilled[];
}

export interface ReconciliationTotal { currency: string; billed: string; tracked: string; variance: string; varianceShare: string | null }

/** variance / billed, 6 places; null when nothing was billed. */
const shareOf = (variance: Decimal, billed: Decimal) => (billed.isZero() ? null : variance.dividedBy(billed).toDecimalPlaces(6).toFixed(6));

const MAX_DAYS = 366;
const MAX_ROWS = 50_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A model's name without a release date (`-2024-07-18`, `-20250929`), as bills and events meet. */
export const baseModel = (model: string) => model.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, '');

function checkRange(args: ReconciliationArgs): void {
  for (const field of ['from', 'to'] as const) {
    if (!DATE.test(args[field]) || Number.isNaN(Date.parse(`${args[field]}T00:00:00Z`))) throw argumentError('INVALID_ARGUMENT', field, `'${args[field]}' is not a date (YYYY-MM-DD)`);
  }
  const days = (Date.parse(args.to) - Date.parse(args.from)) / 86_400_000 + 1;
  if (days < 1) throw argumentError('INVALID_ARGUMENT', 'to', 'is before from');
  if (days > MAX_DAYS) throw argumentError('INVALID_ARGUMENT', 'to', `the range spans ${days} days; at most ${MAX_DAYS}`);
}

type Row = Record<string, string | number | boolean | null>;

async function load(reader: QueryReader, ctx: SemanticContext, query: Parameters<QueryReader['load']>[0]): Promise<Row[]> {
  const { data } = await reader.load({ ...query, timezone: 'UTC', limit: MAX_ROWS }, ctx);
  if (data.length >= MAX_ROWS) throw argumentError('RANGE_TOO_LARGE', 'to', `more than ${MAX_ROWS} groups; ask for fewer days`);
  return data;
}

const day = (v: unknown) => String(v).slice(0, 10);
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** The bill's and the events' figures, grouped the same way. */
async function figures(reader: QueryReader, ctx: SemanticContext, args: ReconciliationArgs) {
  const b = billsMember;
  const bills = await load(reader, ctx, {
    measures: [b('billed')],
    dimensions: [b('provider'), b('model'), b('account'), b('currency')],
    timeDimensions: [{ dimension: b('day'), granularity: 'day', dateRange: [args.from, args.to] }],
  });
  const providers = [...new Set(bills.map((r) => String(r[b('provider')])))];
  if (providers.length === 0) return { bills, events: [] };
  const u = usageMember;
  const events = await load(reader, ctx, {
    measures: [u('total_cost')],
    dimensions: [u('provider'), u('model'), u('currency')],
    timeDimensions: [{ dimension: u('occurred_at'), granularity: 'day', dateRange: [args.from, `${args.to}T23:59:59.999`] }],
    filters: [{ member: u('provider'), operator: 'equals', values: providers }],
  });
  return { bills, events };
}

interface Group { day: string; provider: string; model: string | null; currency: string; billed: Decimal; tracked: Decimal; accounts: Map<string, Decimal> }

const keyOf = (d: string, provider: string, currency: string, model: string | null) => JSON.stringify([d, provider, currency, model]);

function group(groups: Map<string, Group>, d: string, provider: string, currency: string, model: string | null): Group {
  const key = keyOf(d, provider, currency, model);
  let g = groups.get(key);
  if (!g) groups.set(key, (g = { day: d, provider, model, currency, billed: new Decimal(0), tracked: new Decimal(0), accounts: new Map() }));
  return g;
}

function present(g: Group, unattributed: boolean): ReconciliationRow {
  const variance = g.billed.minus(g.tracked);
  return {
    day: g.day, provider: g.provider, model: unattributed ? null : g.model, unattributed, currency: g.currency,
    billed: g.billed.toFixed(), tracked: g.tracked.toFixed(), variance: variance.toFixed(),
    varianceShare: shareOf(variance, g.billed),
    accounts: [...g.accounts].map(([account, billed]) => ({ account, billed: billed.toFixed() })).sort((a, c) => a.account.localeCompare(c.account)),
  };
}

/** Rows ordered by day, provider, currency, model (the unattributed line last), and totals per currency. */
export function reconcile(bills: Row[], events: Row[]): { rows: ReconciliationRow[]; totals: ReconciliationTotal[] } {
  const b = billsMember; const u = usageMember;
  const groups = new Map<string, Group>();
  const covered = new Set<string>();
  for (const r of bills) {
    const model = str(r[b('model')]);
    const g = group(groups, day(r[b('day.day')]), String(r[b('provider')]), String(r[b('currency')]), model === null ? null : baseModel(model));
    const amount = new Decimal(String(r[b('billed')] ?? 0));
    g.billed = g.billed.plus(amount);
    const account = str(r[b('account')]);
    if (account !== null) g.accounts.set(account, (g.accounts.get(account) ?? new Decimal(0)).plus(amount));
    covered.add(JSON.stringify([g.day, g.provider]));
  }
  for (const r of events) {
    const d = day(r[u('occurred_at.day')]);
    const provider = String(r[u('provider')]);
    if (!covered.has(JSON.stringify([d, provider]))) continue;
    const model = str(r[u('model')]);
    const g = group(groups, d, provider, String(r[u('currency')]), model === null ? null : baseModel(model));
    g.tracked = g.tracked.plus(String(r[u('total_cost')] ?? 0));
  }
  // Billed models no event explains join the day's unattributed line (with model-less lines and events).
  const rows: ReconciliationRow[] = [];
  const unattributed = new Map<string, Group>();
  for (const g of groups.values()) {
    if (g.model !== null && !g.tracked.isZero()) { rows.push(present(g, false)); continue; }
    if (g.model !== null && g.billed.isZero()) { rows.push(present(g, false)); continue; }
    const line = group(unattributed, g.day, g.provider, g.currency, null);
    line.billed = line.billed.plus(g.billed);
    line.tracked = line.tracked.plus(g.tracked);
    for (const [a, v] of g.accounts) line.accounts.set(a, (line.accounts.get(a) ?? new Decimal(0)).plus(v));
  }
  rows.push(...[...unattributed.values()].map((g) => present(g, true)));
  rows.sort((x, y) => x.day.localeCompare(y.day) || x.provider.localeCompare(y.provider) || x.currency.localeCompare(y.currency)
    || Number(x.unattributed) - Number(y.unattributed) || (x.model ?? '').localeCompare(y.model ?? ''));
  return { rows, totals: totalsOf(rows) };
}

function totalsOf(rows: ReconciliationRow[]): ReconciliationTotal[] {
  const by = new Map<string, { billed: Decimal; tracked: Decimal }>();
  for (const r of rows) {
    const t = by.get(r.currency) ?? { billed: new Decimal(0), tracked: new Decimal(0) };
    by.set(r.currency, { billed: t.billed.plus(r.billed), tracked: t.tracked.plus(r.tracked) });
  }
  return [...by].sort(([a], [c]) => a.localeCompare(c)).map(([currency, t]) => {
    const variance = t.billed.minus(t.tracked);
    return { currency, billed: t.billed.toFixed(), tracked: t.tracked.toFixed(), variance: variance.toFixed(), varianceShare: shareOf(variance, t.billed) };
  });
}

export async function reconciliation(semantic: SemanticLayer, ctx: SemanticContext, args: ReconciliationArgs) {
  checkRange(args);
  const { bills, events } = await semantic.snapshot((reader) => figures(reader, ctx, args));
  return { from: args.from, to: args.to, ...reconcile(bills, events) };
}
