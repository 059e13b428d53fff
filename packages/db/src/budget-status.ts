// The latest evaluation of each budget (budget_status), and the row locks that serialize
// evaluations of a budget. A whole evaluation is one transaction and a few statements: a
// thousand budgets were a thousand transactions (each commit waiting on the WAL), most of its time.
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

/** The statuses of some budgets, wherever they live (organization budgets covering a workspace). */
export async function statusesOf(db: Db, budgetIds: string[]): Promise<BudgetStatus[]> {
  const { rows } = await db.query(`SELECT ${STATUS_COLUMNS} FROM budget_status WHERE budget_id = ANY ($1)`, [budgetIds]);
  return rows.map(toStatus);
}

/**
 * Runs `fn` in one transaction holding the row locks of the budgets (taken in id order, so
 * concurrent evaluations never deadlock), with the current status of each budget still there:
 * evaluations of a budget are serialized, so a level fires once.
 */
export async function withBudgetsLocked<T>(
  pool: Pool,
  budgetIds: string[],
  fn: (tx: PoolClient, statuses: Map<string, BudgetStatus | undefined>) => Promise<T>,
): Promise<T> {
  return withTransaction(pool, async (tx) => {
    const locked = await tx.query('SELECT id FROM budgets WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE', [budgetIds]);
    const { rows } = await tx.query(`SELECT ${STATUS_COLUMNS} FROM budget_status WHERE budget_id = ANY($1::uuid[])`, [budgetIds]);
    const byId = new Map(rows.map((r) => [r.budget_id as string, toStatus(r)]));
    return fn(tx, new Map(locked.rows.map((r) => [r.id as string, byId.get(r.id)])));
  });
}

/** Stores the statuses in one statement (values travel as JSON: numerics as exact decimal strings). */
export async function saveBudgetStatuses(db: Db, statuses: BudgetStatus[]): Promise<void> {
  if (!statuses.length) return;
  const rows = statuses.map((s) => ({
    budget_id: s.budgetId, workspace_id: s.workspaceId, as_of: s.asOf, period_key: s.periodKey, period_start: s.periodStart,
    period_end: s.periodEnd, amount: s.amount, spend: s.spend, projected_spend: s.projectedSpend,
    projected_crossing_at: s.projectedCrossingAt, reached: s.reached,
  }));
  await db.query(
    `INSERT INTO budget_status (budget_id, workspace_id, as_of, period_key, period_start, period_end, amount, spend,
       projected_spend, projected_crossing_at, reached)
     SELECT budget_id, workspace_id, as_of, period_key, period_start, period_end, amount, spend, projected_spend,
            projected_crossing_at, reached
       FROM jsonb_to_recordset($1::jsonb) AS s (budget_id uuid, workspace_id uuid, as_of timestamptz, period_key text,
            period_start timestamptz, period_end timestamptz, amount numeric, spend numeric, projected_spend numeric,
            projected_crossing_at timestamptz, reached text[])
     ON CONFLICT (budget_id) DO UPDATE SET as_of = EXCLUDED.as_of, period_key = EXCLUDED.period_key,
       period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end, amount = EXCLUDED.amount,
       spend = EXCLUDED.spend, projected_spend = EXCLUDED.projected_spend,
       projected_crossing_at = EXCLUDED.projected_crossing_at, reached = EXCLUDED.reached`,
    [JSON.stringify(rows)],
  );
}
