// Cost pools, allocation rules and unit economics (issue 17). Inputs are checked here with the
// field at fault named; the allocation and every figure come from the model.
import { Decimal } from 'decimal.js';
import { isCurrencyCode } from '@spendgraph/schema';
import { type AllocationRule, type CostPool, type Pool, type PoolClient, deleteCostPool, listCostPools, setAllocationRule, upsertCostPool } from '@spendgraph/db';
import type { SemanticLayer } from '@spendgraph/semantic';
import { changeDb } from '../audit.ts';
import { argumentError } from '../query/errors.ts';
import { type EconomicsArgs, allocatedByPool, economics } from '../query/economics.ts';
import { BillParseError, type FocusPoolCostColumn } from '@spendgraph/billing';
import { importFocusPools } from '../pool-import.ts';

interface Ctx { workspaceId: string; restriction?: Readonly<Record<string, string>>; db?: PoolClient }

const AMOUNT = /^\d{1,12}(\.\d{1,8})?$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

function monthStart(month: string, field: string): string {
  if (!MONTH.test(month)) throw argumentError('INVALID_ARGUMENT', field, `'${month}' is not a month (YYYY-MM)`);
  return `${month}-01`;
}

function checkPool(input: { name: string; amount: string; month: string; currency?: string | null }) {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 200) throw argumentError('INVALID_ARGUMENT', 'input.name', 'must be 1 to 200 characters');
  if (!AMOUNT.test(input.amount) || new Decimal(input.amount).isZero()) {
    throw argumentError('INVALID_ARGUMENT', 'input.amount', `'${input.amount}' is not an amount above 0 with at most 8 decimal places`);
  }
  const currency = input.currency ?? 'USD';
  if (!isCurrencyCode(currency)) throw argumentError('INVALID_ARGUMENT', 'input.currency', `'${currency}' is not an ISO 4217 currency code`);
  return { name, amount: input.amount, month: monthStart(input.month, 'input.month'), source: 'manual' as const, currency };
}

function checkRule(rule: AllocationRule): AllocationRule {
  if ((rule.method === 'proportional') !== (rule.measure != null)) throw argumentError('INVALID_ARGUMENT', 'rule.measure', 'a proportional rule needs a measure; other rules take none');
  if ((rule.method === 'fixed') !== (rule.percentages != null)) throw argumentError('INVALID_ARGUMENT', 'rule.percentages', 'a fixed rule needs percentages; other rules take none');
  if (rule.percentages) {
    if (rule.percentages.length === 0 || rule.percentages.length > 1000) throw argumentError('INVALID_ARGUMENT', 'rule.percentages', 'between 1 and 1000 values');
    if (new Set(rule.percentages.map((p) => p.value)).size !== rule.percentages.length) throw argumentError('INVALID_ARGUMENT', 'rule.percentages', 'a value is named twice');
    const bad = rule.percentages.find((p) => !/^\d{1,3}(\.\d{1,8})?$/.test(p.percent) || new Decimal(p.percent).isZero());
    if (bad) throw argumentError('INVALID_ARGUMENT', 'rule.percentages', `'${bad.percent}' (for '${bad.value}') is not a percent above 0`);
    const total = rule.percentages.reduce((s, p) => s.plus(p.percent), new Decimal(0));
    if (!total.equals(100)) throw argumentError('INVALID_ARGUMENT', 'rule.percentages', `add up to ${total.toFixed()}, not 100`);
  }
  return { method: rule.method, measure: rule.measure ?? null, dimension: rule.dimension, percentages: rule.percentages ?? null };
}

interface PoolImportInput { csv: string; groupBy?: string | null; cost?: FocusPoolCostColumn | null; rule?: AllocationRule | null }

/** A file that cannot be read, as a GraphQL error naming the input field, the column and the line. */
function unreadable(e: unknown): never {
  if (!(e instanceof BillParseError)) throw e;
  const field = e.field === 'group_by' ? 'input.groupBy' : 'input.csv';
  throw argumentError('INVALID_ARGUMENT', field, e.message, { column: e.field, ...(e.line === undefined ? {} : { line: e.line }) });
}

export function economicsResolvers(deps: { pool: Pool; semantic: SemanticLayer }) {
  const ctx = (c: Ctx) => ({ workspaceId: c.workspaceId, restriction: c.restriction });
  const present = async (c: Ctx, pools: CostPool[]) => {
    const allocated = await allocatedByPool(deps.semantic, ctx(c), [...new Set(pools.map((p) => p.month))]);
    return pools.map((p) => ({ ...p, month: p.month.slice(0, 7), allocated: allocated.get(JSON.stringify([p.name, p.month])) ?? '0' }));
  };
  return {
    Query: {
      costPools: async (_: unknown, { month }: { month?: string | null }, c: Ctx) =>
        present(c, await listCostPools(deps.pool, c.workspaceId, month == null ? null : monthStart(month, 'month'))),
      economics: (_: unknown, args: EconomicsArgs, c: Ctx) => economics(deps.semantic, ctx(c), args),
    },
    Mutation: {
      createCostPool: async (_: unknown, { input }: { input: { name: string; amount: string; month: string } }, c: Ctx) => {
        const pool = await upsertCostPool(changeDb(deps.pool, c), c.workspaceId, checkPool(input));
        return { ...pool, month: pool.month.slice(0, 7), allocated: '0' };
      },
      deleteCostPool: (_: unknown, { id }: { id: string }, c: Ctx) => deleteCostPool(changeDb(deps.pool, c), c.workspaceId, id),
      importCostPools: async (_: unknown, { input }: { input: PoolImportInput }, c: Ctx) => {
        const rule = input.rule ? checkRule(input.rule) : null;
        const options = { groupBy: input.groupBy ?? undefined, cost: input.cost ?? undefined };
        const db = changeDb(deps.pool, c);
        const result = await importFocusPools(db, c.workspaceId, input.csv, options, rule).catch(unreadable);
        const ids = new Set(result.pools.map((p) => p.id));
        const pools = await present(c, (await listCostPools(db, c.workspaceId)).filter((p) => ids.has(p.id)));
        return { ...result, pools, skipped: result.skipped.map((p) => ({ ...p, month: p.month.slice(0, 7) })) };
      },
      setAllocationRule: async (_: unknown, { poolId, rule }: { poolId: string; rule: AllocationRule }, c: Ctx) => {
        const pool = await setAllocationRule(changeDb(deps.pool, c), c.workspaceId, poolId, checkRule(rule));
        if (!pool) throw argumentError('NOT_FOUND', 'poolId', `no cost pool ${poolId} in this workspace`);
        return { ...pool, month: pool.month.slice(0, 7), allocated: '0' };
      },
    },
  };
}
