// Budgets, their latest evaluation, their alerts (BudgetThresholdCrossed) and
// where alerts are delivered. Every read and write names the workspace.
import { type Pool, type PoolClient, withTransaction } from './pool.ts';
import { type Delivery, getDelivery, listDeliveriesOf } from './deliveries.ts';

export interface ScopeFilterRow {
  member: string;
  operator: 'equals' | 'notEquals';
  values: string[];
}

export interface BudgetFields {
  name: string;
  scope: ScopeFilterRow[];
  wholeWorkspace: boolean;
  period: 'daily' | 'weekly' | 'monthly' | 'rolling' | 'lifetime';
  rollingDays: number | null;
  timezone: string;
  /** Decimal string. */
  amount: string;
  currency: string;
  /** Percent of the amount, ascending. */
  thresholds: number[];
  forecastAlerts: boolean;
  mode: 'soft' | 'hard';
}

export interface Budget extends BudgetFields {
  id: string;
  workspaceId: string;
  paused: boolean;
  createdAt: string;
  updatedAt: string;
}

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

export interface BudgetAlert {
  id: string;
  workspaceId: string;
  budgetId: string;
  budgetName: string;
  kind: 'threshold' | 'forecast';
  threshold: number | null;
  periodKey: string;
  periodStart: string | null;
  periodEnd: string | null;
  spend: string;
  amount: string;
  currency: string;
  projectedSpend: string | null;
  projectedCrossingAt: string | null;
  occurredAt: string;
}

export interface AlertChannel {
  id: string;
  workspaceId: string;
  budgetId: string | null;
  name: string;
  type: 'webhook' | 'slack' | 'email';
  target: string;
  secret: string | null;
  enabled: boolean;
  createdAt: string;
}

export type AlertDelivery = Delivery;

type Db = Pool | PoolClient;
const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

// ---------------------------------------------------------------------------
// Budgets

const BUDGET_COLUMNS = `id, workspace_id, name, scope, whole_workspace, period, rolling_days, timezone, amount::text AS amount,
  currency, thresholds::float8[] AS thresholds, forecast_alerts, mode, paused, created_at, updated_at`;

function toBudget(r: any): Budget {
  return {
    id: r.id, workspaceId: r.workspace_id, name: r.name, scope: r.scope, wholeWorkspace: r.whole_workspace,
    period: r.period, rollingDays: r.rolling_days, timezone: r.timezone, amount: r.amount, currency: r.currency,
    thresholds: r.thresholds, forecastAlerts: r.forecast_alerts, mode: r.mode, paused: r.paused,
    createdAt: iso(r.created_at)!, updatedAt: iso(r.updated_at)!,
  };
}

function budgetValues(f: BudgetFields) {
  return [f.name, JSON.stringify(f.scope), f.wholeWorkspace, f.period, f.rollingDays, f.timezone, f.amount, f.currency,
    f.thresholds, f.forecastAlerts, f.mode];
}

export async function insertBudget(db: Db, workspaceId: string, f: BudgetFields): Promise<Budget> {
  const { rows } = await db.query(
    `INSERT INTO budgets (workspace_id, name, scope, whole_workspace, period, rolling_days, timezone, amount, currency,
       thresholds, forecast_alerts, mode)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${BUDGET_COLUMNS}`,
    [workspaceId, ...budgetValues(f)],
  );
  return toBudget(rows[0]);
}

export async function updateBudget(db: Db, workspaceId: string, id: string, f: BudgetFields): Promise<Budget | undefined> {
  const { rows } = await db.query(
    `UPDATE budgets SET name = $3, scope = $4, whole_workspace = $5, period = $6, rolling_days = $7, timezone = $8,
       amount = $9, currency = $10, thresholds = $11, forecast_alerts = $12, mode = $13, updated_at = now()
     WHERE workspace_id = $1 AND id = $2 RETURNING ${BUDGET_COLUMNS}`,
    [workspaceId, id, ...budgetValues(f)],
  );
  return rows[0] && toBudget(rows[0]);
}

export async function setBudgetPaused(db: Db, workspaceId: string, id: string, paused: boolean): Promise<Budget | undefined> {
  const { rows } = await db.query(
    `UPDATE budgets SET paused = $3, updated_at = now() WHERE workspace_id = $1 AND id = $2 RETURNING ${BUDGET_COLUMNS}`,
    [workspaceId, id, paused],
  );
  return rows[0] && toBudget(rows[0]);
}

export async function deleteBudget(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM budgets WHERE workspace_id = $1 AND id = $2', [workspaceId, id]);
  return (rowCount ?? 0) > 0;
}

export async function getBudget(db: Db, workspaceId: string, id: string): Promise<Budget | undefined> {
  const { rows } = await db.query(`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return rows[0] && toBudget(rows[0]);
}

export async function listBudgets(db: Db, workspaceId: string): Promise<Budget[]> {
  const { rows } = await db.query(`SELECT ${BUDGET_COLUMNS} FROM budgets WHERE workspace_id = $1 ORDER BY created_at, id`, [workspaceId]);
  return rows.map(toBudget);
}

/** Budgets to evaluate: not paused; of one workspace, some ids, and/or hard ones only. */
export async function activeBudgets(db: Db, where: { workspaceId?: string; ids?: string[]; hardOnly?: boolean } = {}): Promise<Budget[]> {
  const { rows } = await db.query(
    `SELECT ${BUDGET_COLUMNS} FROM budgets
      WHERE NOT paused AND ($1::uuid IS NULL OR workspace_id = $1) AND ($2::uuid[] IS NULL OR id = ANY ($2))
        AND (NOT $3 OR mode = 'hard')
      ORDER BY workspace_id, id`,
    [where.workspaceId ?? null, where.ids ?? null, where.hardOnly ?? false],
  );
  return rows.map(toBudget);
}

// ---------------------------------------------------------------------------
// Evaluation state

export function toStatus(r: any): BudgetStatus {
  return {
    budgetId: r.budget_id, workspaceId: r.workspace_id, asOf: iso(r.as_of)!, periodKey: r.period_key,
    periodStart: iso(r.period_start), periodEnd: iso(r.period_end), amount: r.amount, spend: r.spend,
    projectedSpend: r.projected_spend, projectedCrossingAt: iso(r.projected_crossing_at), reached: r.reached,
  };
}

export const STATUS_COLUMNS = `budget_id, workspace_id, as_of, period_key, period_start, period_end, amount::text AS amount, spend::text AS spend,
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

// ---------------------------------------------------------------------------
// Alerts (BudgetThresholdCrossed) and their deliveries

export type NewBudgetAlert = Omit<BudgetAlert, 'id' | 'occurredAt' | 'budgetName'>;

/**
 * Records an alert and queues a delivery to each enabled channel of its
 * workspace or budget, in the caller's transaction (the outbox). Returns the
 * alert and delivery ids, or undefined when this level already fired.
 */
export async function recordAlert(tx: PoolClient, a: NewBudgetAlert): Promise<{ alertId: string; deliveryIds: string[] } | undefined> {
  const { rows } = await tx.query(
    `INSERT INTO budget_alerts (workspace_id, budget_id, kind, threshold, period_key, period_start, period_end, spend,
       amount, currency, projected_spend, projected_crossing_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT DO NOTHING RETURNING id`,
    [a.workspaceId, a.budgetId, a.kind, a.threshold, a.periodKey, a.periodStart, a.periodEnd, a.spend, a.amount, a.currency,
      a.projectedSpend, a.projectedCrossingAt],
  );
  const alertId = rows[0]?.id as string | undefined;
  if (!alertId) return undefined;
  const deliveries = await tx.query(
    `INSERT INTO alert_deliveries (workspace_id, alert_id, channel_id)
     SELECT $1, $2, id FROM alert_channels
      WHERE workspace_id = $1 AND enabled AND (budget_id IS NULL OR budget_id = $3)
     RETURNING id`,
    [a.workspaceId, alertId, a.budgetId],
  );
  return { alertId, deliveryIds: deliveries.rows.map((r) => r.id) };
}

const ALERT_COLUMNS = `a.id, a.workspace_id, a.budget_id, b.name AS budget_name, a.kind, a.threshold::float8 AS threshold, a.period_key,
  a.period_start, a.period_end, a.spend::text AS spend, a.amount::text AS amount, a.currency,
  a.projected_spend::text AS projected_spend, a.projected_crossing_at, a.occurred_at`;

function toAlert(r: any): BudgetAlert {
  return {
    id: r.id, workspaceId: r.workspace_id, budgetId: r.budget_id, budgetName: r.budget_name, kind: r.kind,
    threshold: r.threshold, periodKey: r.period_key, periodStart: iso(r.period_start), periodEnd: iso(r.period_end),
    spend: r.spend, amount: r.amount, currency: r.currency, projectedSpend: r.projected_spend,
    projectedCrossingAt: iso(r.projected_crossing_at), occurredAt: iso(r.occurred_at)!,
  };
}

/** Alerts of a workspace, oldest first (the order they fired in). */
export async function listAlerts(db: Db, workspaceId: string, where: { budgetId?: string; since?: string; first?: number } = {}): Promise<BudgetAlert[]> {
  const { rows } = await db.query(
    `SELECT * FROM (
       SELECT ${ALERT_COLUMNS} FROM budget_alerts a JOIN budgets b ON b.id = a.budget_id
        WHERE a.workspace_id = $1 AND ($2::uuid IS NULL OR a.budget_id = $2) AND ($3::timestamptz IS NULL OR a.occurred_at >= $3)
        ORDER BY a.occurred_at DESC, a.id DESC LIMIT $4) newest
     ORDER BY occurred_at, id`,
    [workspaceId, where.budgetId ?? null, where.since ?? null, where.first ?? 100],
  );
  return rows.map(toAlert);
}

export async function getAlert(db: Db, alertId: string): Promise<BudgetAlert | undefined> {
  const { rows } = await db.query(`SELECT ${ALERT_COLUMNS} FROM budget_alerts a JOIN budgets b ON b.id = a.budget_id WHERE a.id = $1`, [alertId]);
  return rows[0] && toAlert(rows[0]);
}

// ---------------------------------------------------------------------------
// Channels

const CHANNEL_COLUMNS = 'id, workspace_id, budget_id, name, type, target, secret, enabled, created_at';

function toChannel(r: any): AlertChannel {
  return {
    id: r.id, workspaceId: r.workspace_id, budgetId: r.budget_id, name: r.name, type: r.type, target: r.target,
    secret: r.secret, enabled: r.enabled, createdAt: iso(r.created_at)!,
  };
}

export async function insertAlertChannel(
  db: Db,
  workspaceId: string,
  c: Pick<AlertChannel, 'budgetId' | 'name' | 'type' | 'target' | 'secret'>,
): Promise<AlertChannel> {
  const { rows } = await db.query(
    `INSERT INTO alert_channels (workspace_id, budget_id, name, type, target, secret)
     SELECT $1, $2, $3, $4, $5, $6
      WHERE $2::uuid IS NULL OR EXISTS (SELECT 1 FROM budgets WHERE id = $2 AND workspace_id = $1)
     RETURNING ${CHANNEL_COLUMNS}`,
    [workspaceId, c.budgetId, c.name, c.type, c.target, c.secret],
  );
  if (!rows[0]) throw new Error(`no budget ${c.budgetId} in this workspace`);
  return toChannel(rows[0]);
}

export async function getAlertChannel(db: Db, workspaceId: string, id: string): Promise<AlertChannel | undefined> {
  const { rows } = await db.query(`SELECT ${CHANNEL_COLUMNS} FROM alert_channels WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return rows[0] && toChannel(rows[0]);
}

export async function listAlertChannels(db: Db, workspaceId: string): Promise<AlertChannel[]> {
  const { rows } = await db.query(`SELECT ${CHANNEL_COLUMNS} FROM alert_channels WHERE workspace_id = $1 ORDER BY created_at, id`, [workspaceId]);
  return rows.map(toChannel);
}

export async function deleteAlertChannel(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM alert_channels WHERE workspace_id = $1 AND id = $2', [workspaceId, id]);
  return (rowCount ?? 0) > 0;
}

// ---------------------------------------------------------------------------
// Deliveries

export function listDeliveries(db: Db, workspaceId: string, alertIds: string[]): Promise<AlertDelivery[]> {
  return listDeliveriesOf(db, 'alert_deliveries', workspaceId, alertIds);
}

/** A delivery with what it carries, for the delivery job. */
export async function deliveryToSend(db: Db, id: string): Promise<{ delivery: AlertDelivery; alert: BudgetAlert; channel: AlertChannel } | undefined> {
  const delivery = await getDelivery(db, 'alert_deliveries', id);
  if (!delivery) return undefined;
  const [alert, channel] = await Promise.all([
    getAlert(db, delivery.parentId),
    getAlertChannel(db, delivery.workspaceId, delivery.channelId),
  ]);
  return alert && channel ? { delivery, alert, channel } : undefined;
}
