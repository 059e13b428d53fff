// The latest evaluation of each budget (budget_status), and the row lock that
// serializes evaluations of one budget.
import { iso } from './iso.ts';
import { type Db, type Pool, type PoolClient, withTransaction } from './pool.ts';

export interface BudgetStatus {
  budgetId: string;
  workspaceId: string;
  asOf: string;
  periodKey: string;
  periodStart: string | null;
  periodEnd: string | null;
  amount: string;
  spend: string;
  projectedSpend: string | null;
  projectedCrossingAt: string | null;
  reached: string[];
}

function toStatus(r: any): BudgetStatus {
  return {
    budgetId: r.budget_id, workspaceId: r.workspace_id, asOf: iso(r.as_of), periodKey: r.period_key,
    periodStart: iso(r.period_start), periodEnd: iso(r.period_end), amount: r.amount, spend: r.spend,
    projectedSpend: r.projected_spend, projectedCrossingAt: iso(r.projected_crossing_at), reached: r.reached,
  };
}

const STATUS_COLUMNS = `budget_id, workspace_id, as_of, period_key, period_start, period_end, amount::text AS amount, spend::text AS spend,
  projected_spend::text AS projected_spend, projected_crossing_at, reached`;

export async function budgetStatuses(db: Db, workspaceId: string): Promise<BudgetStatus[]> {
  const { rows } = await db.query(`SELECT ${STATUS_COLUMNS} FROM budget_status WHERE workspace_id = $1`, [workspaceId]);
  return rows.map(toStatus);
}

/**
 * Runs `fn` in a transaction holding the budget's row lock, with its current
 * status: evaluations of one budget are serialized, so a level fires once.
 * Returns undefined when the budget is gone.
 */
export async function withBudgetLocked<T>(pool: Pool, budgetId: string, fn: (tx: PoolClient, status: BudgetStatus | undefined) => Promise<T>): Promise<T | undefined> {
  return withTransaction(pool, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM budgets WHERE id = $1 FOR NO KEY UPDATE', [budgetId]);
    if (!rowCount) return undefined;
    const { rows } = await client.query(`SELECT ${STATUS_COLUMNS} FROM budget_status WHERE budget_id = $1`, [budgetId]);
    return fn(client, rows[0] && toStatus(rows[0]));
  });
}

export async function saveBudgetStatus(db: Db, s: BudgetStatus): Promise<void> {
  await db.query(
    `INSERT INTO budget_status (budget_id, workspace_id, as_of, period_key, period_start, period_end, amount, spend,
       projected_spend, projected_crossing_at, reached)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (budget_id) DO UPDATE SET as_of = EXCLUDED.as_of, period_key = EXCLUDED.period_key,
       period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end, amount = EXCLUDED.amount,
       spend = EXCLUDED.spend, projected_spend = EXCLUDED.projected_spend,
       projected_crossing_at = EXCLUDED.projected_crossing_at, reached = EXCLUDED.reached`,
    [s.budgetId, s.workspaceId, s.asOf, s.periodKey, s.periodStart, s.periodEnd, s.amount, s.spend, s.projectedSpend,
      s.projectedCrossingAt, s.reached],
  );
}
