// Budget alerts (BudgetThresholdCrossed) and their deliveries: recorded with the
// evaluation that fired them (the outbox), read by the API and the delivery job.
import { type AlertChannel, getAlertChannel } from './alert-channels.ts';
import { type Delivery, getDelivery, listDeliveriesOf } from './deliveries.ts';
import { iso } from './iso.ts';
import type { Db, PoolClient } from './pool.ts';

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
  /** A plan budget's forecast: the probability (0-1) that the plan's total exceeds the amount. */
  exceedProbability?: number | null;
  occurredAt: string;
}

export type AlertDelivery = Delivery;

/**
 * The channels (as `c`) an alert of a budget goes to: the enabled channels of the budget itself
 * (in whichever workspace they were made), the workspace-wide ones of its home workspace and, for
 * an organization budget, the workspace-wide ones of every workspace it covers (the
 * organization's channels; ADR 0022). A delivery is the row of its channel's workspace.
 */
const RECEIVING_CHANNEL = (workspace: string, budget: string) => `c.enabled AND (c.budget_id = ${budget} OR (c.budget_id IS NULL AND (
  c.workspace_id = ${workspace} OR c.workspace_id = ANY (SELECT unnest(CASE WHEN b.organization_id IS NULL THEN ARRAY[]::uuid[]
    ELSE coalesce(b.workspace_ids, ARRAY(SELECT w.id FROM workspaces w WHERE w.organization_id = b.organization_id)) END)
    FROM budgets b WHERE b.id = ${budget}))))`;

export type NewBudgetAlert = Omit<BudgetAlert, 'id' | 'occurredAt' | 'budgetName'>;

/**
 * Records an alert and queues a delivery to each enabled channel of its
 * workspace or budget, in the caller's transaction (the outbox). Returns the
 * alert and delivery ids, or undefined when this level already fired.
 */
export async function recordAlert(tx: PoolClient, a: NewBudgetAlert): Promise<{ alertId: string; deliveryIds: string[] } | undefined> {
  const { rows } = await tx.query(
    `INSERT INTO budget_alerts (workspace_id, budget_id, kind, threshold, period_key, period_start, period_end, spend,
       amount, currency, projected_spend, projected_crossing_at, exceed_probability)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT DO NOTHING RETURNING id`,
    [a.workspaceId, a.budgetId, a.kind, a.threshold, a.periodKey, a.periodStart, a.periodEnd, a.spend, a.amount, a.currency,
      a.projectedSpend, a.projectedCrossingAt, a.exceedProbability ?? null],
  );
  const alertId = rows[0]?.id as string | undefined;
  if (!alertId) return undefined;
  const deliveries = await tx.query(
    `INSERT INTO alert_deliveries (workspace_id, alert_id, channel_id)
     SELECT c.workspace_id, $2, c.id FROM alert_channels c WHERE ${RECEIVING_CHANNEL('$1::uuid', '$3::uuid')}
     RETURNING id`,
    [a.workspaceId, alertId, a.budgetId],
  );
  return { alertId, deliveryIds: deliveries.rows.map((r) => r.id) };
}

const ALERT_COLUMNS = `a.id, a.workspace_id, a.budget_id, b.name AS budget_name, a.kind, a.threshold::float8 AS threshold, a.period_key,
  a.period_start, a.period_end, a.spend::text AS spend, a.amount::text AS amount, a.currency,
  a.projected_spend::text AS projected_spend, a.projected_crossing_at, a.exceed_probability::float8 AS exceed_probability, a.occurred_at`;

function toAlert(r: any): BudgetAlert {
  return {
    id: r.id, workspaceId: r.workspace_id, budgetId: r.budget_id, budgetName: r.budget_name, kind: r.kind,
    threshold: r.threshold, periodKey: r.period_key, periodStart: iso(r.period_start), periodEnd: iso(r.period_end),
    spend: r.spend, amount: r.amount, currency: r.currency, projectedSpend: r.projected_spend,
    projectedCrossingAt: iso(r.projected_crossing_at), exceedProbability: r.exceed_probability ?? null, occurredAt: iso(r.occurred_at),
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
    projected_spend: a.projectedSpend, projected_crossing_at: a.projectedCrossingAt, exceed_probability: a.exceedProbability ?? null,
  }));
  const { rows: [out] } = await tx.query(
    `WITH alert AS (
       INSERT INTO budget_alerts (workspace_id, budget_id, kind, threshold, period_key, period_start, period_end, spend,
         amount, currency, projected_spend, projected_crossing_at, exceed_probability)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS s (workspace_id uuid, budget_id uuid, kind text, threshold numeric,
         period_key text, period_start timestamptz, period_end timestamptz, spend numeric, amount numeric, currency text,
         projected_spend numeric, projected_crossing_at timestamptz, exceed_probability numeric)
       ON CONFLICT DO NOTHING RETURNING id, workspace_id, budget_id),
     delivery AS (
       INSERT INTO alert_deliveries (workspace_id, alert_id, channel_id)
       SELECT c.workspace_id, alert.id, c.id FROM alert
         JOIN alert_channels c ON ${RECEIVING_CHANNEL('alert.workspace_id', 'alert.budget_id')}
       RETURNING id)
     SELECT (SELECT count(*)::int FROM alert) AS alerts, ARRAY(SELECT id FROM delivery) AS delivery_ids`,
    [JSON.stringify(rows)],
  );
  return { alerts: out.alerts, deliveryIds: out.delivery_ids };
}
