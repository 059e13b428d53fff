// A whole evaluation's budget statuses and alerts in one transaction and a few statements: an evaluation of a thousand budgets
// was a thousand transactions (and a thousand commits waiting on the WAL), most of its time.
import type { Pool, PoolClient } from './pool.ts';
import { type BudgetStatus, type NewBudgetAlert, STATUS_COLUMNS, toStatus } from './budgets.ts';
import { withTransaction } from './pool.ts';

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
export async function saveBudgetStatuses(db: Pool | PoolClient, statuses: BudgetStatus[]): Promise<void> {
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

/**
 * Records the alerts (a level that already fired in its period is skipped) and a delivery of each
 * to every enabled channel of its workspace or budget, in one statement, in the caller's
 * transaction (the outbox). Returns how many were new and their delivery ids.
 */
export async function recordAlerts(tx: PoolClient, alerts: NewBudgetAlert[]): Promise<{ alerts: number; deliveryIds: string[] }> {
  if (!alerts.length) return { alerts: 0, deliveryIds: [] };
  const rows = alerts.map((a) => ({
    workspace_id: a.workspaceId, budget_id: a.budgetId, kind: a.kind, threshold: a.threshold, period_key: a.periodKey,
    period_start: a.periodStart, period_end: a.periodEnd, spend: a.spend, amount: a.amount, currency: a.currency,
    projected_spend: a.projectedSpend, projected_crossing_at: a.projectedCrossingAt,
  }));
  const { rows: [out] } = await tx.query(
    `WITH alert AS (
       INSERT INTO budget_alerts (workspace_id, budget_id, kind, threshold, period_key, period_start, period_end, spend,
         amount, currency, projected_spend, projected_crossing_at)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS s (workspace_id uuid, budget_id uuid, kind text, threshold numeric,
         period_key text, period_start timestamptz, period_end timestamptz, spend numeric, amount numeric, currency text,
         projected_spend numeric, projected_crossing_at timestamptz)
       ON CONFLICT DO NOTHING RETURNING id, workspace_id, budget_id),
     delivery AS (
       INSERT INTO alert_deliveries (workspace_id, alert_id, channel_id)
       SELECT alert.workspace_id, alert.id, c.id FROM alert
         JOIN alert_channels c ON c.workspace_id = alert.workspace_id AND c.enabled AND (c.budget_id IS NULL OR c.budget_id = alert.budget_id)
       RETURNING id)
     SELECT (SELECT count(*)::int FROM alert) AS alerts, ARRAY(SELECT id FROM delivery) AS delivery_ids`,
    [JSON.stringify(rows)],
  );
  return { alerts: out.alerts, deliveryIds: out.delivery_ids };
}
