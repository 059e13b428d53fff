// Cost pools and their allocation rules (issue 17, unit economics). The allocation itself is
// computed by the model (cube/model/cubes/allocations.yml); these are the inputs.
import { iso } from './iso.ts';
import { type Db, withTransaction } from './pool.ts';

export type AllocationMethod = 'proportional' | 'even' | 'fixed';
export type AllocationMeasure = 'cost' | 'tokens' | 'calls';
export type AllocationDimension = 'workflow' | 'feature' | 'customer' | 'plan';

export interface AllocationRule {
  method: AllocationMethod;
  /** For proportional rules. */
  measure: AllocationMeasure | null;
  dimension: AllocationDimension;
  /** For fixed rules: value -> percent (decimal strings adding up to 100). */
  percentages: Array<{ value: string; percent: string }> | null;
}

export interface CostPool {
  id: string;
  workspaceId: string;
  name: string;
  amount: string;
  currency: string;
  /** First day of the month, YYYY-MM-DD. */
  month: string;
  source: 'manual' | 'focus';
  rule: AllocationRule | null;
  createdAt: string;
}

const COLUMNS = `p.id, p.workspace_id, p.name, p.amount::text AS amount, p.currency, p.month::text AS month, p.source, p.created_at,
  r.method, r.measure, r.dimension, r.percentages`;
const FROM = 'cost_pools p LEFT JOIN allocation_rules r ON r.pool_id = p.id';

function toPool(r: any): CostPool {
  const percentages = r.percentages ? Object.entries(r.percentages as Record<string, string>).map(([value, percent]) => ({ value, percent: String(percent) })) : null;
  return {
    id: r.id, workspaceId: r.workspace_id, name: r.name, amount: r.amount, currency: r.currency, month: r.month, source: r.source, createdAt: iso(r.created_at),
    rule: r.method ? { method: r.method, measure: r.measure, dimension: r.dimension, percentages } : null,
  };
}

export async function getCostPool(db: Db, workspaceId: string, id: string): Promise<CostPool | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE p.workspace_id = $1 AND p.id = $2`, [workspaceId, id]);
  return rows[0] && toPool(rows[0]);
}

/** A workspace's pools, newest month first; of one month when given (YYYY-MM-01). */
export async function listCostPools(db: Db, workspaceId: string, month?: string | null): Promise<CostPool[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE p.workspace_id = $1 AND ($2::date IS NULL OR p.month = $2) ORDER BY p.month DESC, p.name`,
    [workspaceId, month ?? null]);
  return rows.map(toPool);
}

/** Creates a pool, or replaces the amount of the pool of that name and month (a re-import). */
export async function upsertCostPool(
  db: Db, workspaceId: string, p: Pick<CostPool, 'name' | 'amount' | 'month' | 'source'> & { currency?: string },
): Promise<CostPool> {
  const { rows } = await db.query(
    `INSERT INTO cost_pools (workspace_id, name, amount, month, source, currency) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (workspace_id, name, month) DO UPDATE SET amount = EXCLUDED.amount, source = EXCLUDED.source, currency = EXCLUDED.currency
     RETURNING id`,
    [workspaceId, p.name, p.amount, p.month, p.source, p.currency ?? 'USD']);
  return (await getCostPool(db, workspaceId, rows[0].id))!;
}

export async function deleteCostPool(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM cost_pools WHERE workspace_id = $1 AND id = $2', [workspaceId, id]);
  return (rowCount ?? 0) > 0;
}

/** Sets (replaces) a pool's rule; undefined when the pool is not the workspace's. */
export async function setAllocationRule(db: Db, workspaceId: string, poolId: string, rule: AllocationRule): Promise<CostPool | undefined> {
  const percentages = rule.percentages ? Object.fromEntries(rule.percentages.map((p) => [p.value, p.percent])) : null;
  const { rowCount } = await db.query(
    `INSERT INTO allocation_rules (pool_id, workspace_id, method, measure, dimension, percentages)
     SELECT id, workspace_id, $3, $4, $5, $6 FROM cost_pools WHERE workspace_id = $1 AND id = $2
     ON CONFLICT (pool_id) DO UPDATE SET method = EXCLUDED.method, measure = EXCLUDED.measure, dimension = EXCLUDED.dimension, percentages = EXCLUDED.percentages`,
    [workspaceId, poolId, rule.method, rule.measure, rule.dimension, percentages === null ? null : JSON.stringify(percentages)]);
  return rowCount ? getCostPool(db, workspaceId, poolId) : undefined;
}

export interface ImportedPool {
  id: string;
  name: string;
  /** YYYY-MM-DD, the month's first day. */
  month: string;
  amount: string;
  /** The amount before this import; null when the pool is new. */
  previousAmount: string | null;
}

/**
 * Pools imported from a FOCUS file (source `focus`): each created, or the amount of the pool of
 * that name and month replaced, so importing a file again changes nothing. A new pool gets `rule`
 * when one is given; an existing pool keeps its own. Imports into one workspace take turns.
 */
export async function importCostPools(
  on: Db, workspaceId: string, pools: Array<{ name: string; month: string; amount: string }>, rule: AllocationRule | null,
): Promise<ImportedPool[]> {
  return withTransaction(on, async (db) => {
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`cost_pools:${workspaceId}`]);
    const { rows } = await db.query(
      `WITH input AS (SELECT * FROM unnest($2::text[], $3::numeric[], $4::date[]) AS i(name, amount, month)),
            before AS (SELECT p.name, p.month, p.amount FROM cost_pools p JOIN input i USING (name, month) WHERE p.workspace_id = $1),
            up AS (INSERT INTO cost_pools (workspace_id, name, amount, month, source) SELECT $1, name, amount, month, 'focus' FROM input
                   ON CONFLICT (workspace_id, name, month) DO UPDATE SET amount = EXCLUDED.amount, source = 'focus' RETURNING id, name, month, amount)
       SELECT up.id, up.name, up.month::text AS month, up.amount::text AS amount, b.amount::text AS previous
         FROM up LEFT JOIN before b USING (name, month) ORDER BY up.month, up.name`,
      [workspaceId, pools.map((p) => p.name), pools.map((p) => p.amount), pools.map((p) => p.month)]);
    const created = rows.filter((r) => r.previous === null).map((r) => r.id as string);
    if (rule && created.length) {
      const percentages = rule.percentages ? JSON.stringify(Object.fromEntries(rule.percentages.map((p) => [p.value, p.percent]))) : null;
      await db.query(
        `INSERT INTO allocation_rules (pool_id, workspace_id, method, measure, dimension, percentages)
         SELECT id, $1, $3, $4, $5, $6 FROM unnest($2::uuid[]) AS id ON CONFLICT (pool_id) DO NOTHING`,
        [workspaceId, created, rule.method, rule.measure, rule.dimension, percentages]);
    }
    return rows.map((r) => ({ id: r.id, name: r.name, month: r.month, amount: r.amount, previousAmount: r.previous }));
  });
}
