// Bill variance alerts (issue 17): a workspace's threshold, the alerts a check after each bill
// import records, and their deliveries (the outbox, like budget alerts).
import { type AlertChannel, getAlertChannel } from './alert-channels.ts';
import { type Delivery, getDelivery } from './deliveries.ts';
import { iso } from './iso.ts';
import type { Db, PoolClient } from './pool.ts';

export interface BillVarianceAlert {
  id: string;
  workspaceId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  provider: string;
  currency: string;
  billed: string;
  tracked: string;
  variance: string;
  /** variance / billed. */
  varianceShare: string;
  /** Percent in force when it fired. */
  threshold: string;
  occurredAt: string;
}

export type NewBillVarianceAlert = Omit<BillVarianceAlert, 'id' | 'occurredAt'>;

/** The workspace's threshold in percent (a decimal string), or null: no variance alerts. */
export async function billVarianceThreshold(db: Db, workspaceId: string): Promise<string | null> {
  const { rows } = await db.query('SELECT bill_variance_threshold::text AS t FROM workspaces WHERE id = $1', [workspaceId]);
  return rows[0]?.t ?? null;
}

export async function setBillVarianceThreshold(db: Db, workspaceId: string, percent: string | null): Promise<string | null> {
  const { rows } = await db.query(
    'UPDATE workspaces SET bill_variance_threshold = $2 WHERE id = $1 RETURNING bill_variance_threshold::text AS t', [workspaceId, percent]);
  return rows[0]?.t ?? null;
}

const COLUMNS = `id, workspace_id, day::text AS day, provider, currency, billed::text AS billed, tracked::text AS tracked,
  variance::text AS variance, variance_share::text AS variance_share, threshold::text AS threshold, occurred_at`;

function toAlert(r: any): BillVarianceAlert {
  return {
    id: r.id, workspaceId: r.workspace_id, day: r.day, provider: r.provider, currency: r.currency, billed: r.billed, tracked: r.tracked,
    variance: r.variance, varianceShare: r.variance_share, threshold: r.threshold, occurredAt: iso(r.occurred_at)!,
  };
}

/**
 * Records the alerts (a day × provider × currency that already fired is skipped) and a delivery of
 * each to every enabled workspace-wide channel, in the caller's transaction. Returns the delivery ids.
 */
export async function recordBillVarianceAlerts(tx: PoolClient, alerts: NewBillVarianceAlert[]): Promise<{ alerts: number; deliveryIds: string[] }> {
  if (!alerts.length) return { alerts: 0, deliveryIds: [] };
  const rows = alerts.map((a) => ({
    workspace_id: a.workspaceId, day: a.day, provider: a.provider, currency: a.currency, billed: a.billed, tracked: a.tracked,
    variance: a.variance, variance_share: a.varianceShare, threshold: a.threshold,
  }));
  const { rows: [out] } = await tx.query(
    `WITH alert AS (
       INSERT INTO bill_variance_alerts (workspace_id, day, provider, currency, billed, tracked, variance, variance_share, threshold)
       SELECT workspace_id, day, provider, currency, billed, tracked, variance, variance_share, threshold
         FROM jsonb_to_recordset($1::jsonb) AS x(workspace_id uuid, day date, provider text, currency text, billed numeric,
              tracked numeric, variance numeric, variance_share numeric, threshold numeric)
       ON CONFLICT DO NOTHING RETURNING id, workspace_id
     ), delivery AS (
       INSERT INTO bill_variance_deliveries (workspace_id, alert_id, channel_id)
       SELECT alert.workspace_id, alert.id, c.id FROM alert
         JOIN alert_channels c ON c.workspace_id = alert.workspace_id AND c.enabled AND c.budget_id IS NULL
       RETURNING id
     )
     SELECT (SELECT count(*)::int FROM alert) AS alerts, coalesce((SELECT array_agg(id) FROM delivery), '{}') AS delivery_ids`,
    [JSON.stringify(rows)],
  );
  return { alerts: out.alerts, deliveryIds: out.delivery_ids };
}

/** A workspace's variance alerts, newest first. */
export async function listBillVarianceAlerts(db: Db, workspaceId: string, first = 100): Promise<BillVarianceAlert[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM bill_variance_alerts WHERE workspace_id = $1 ORDER BY day DESC, provider, currency LIMIT $2`, [workspaceId, first]);
  return rows.map(toAlert);
}

/** A delivery with what it carries, for the delivery job. */
export async function billVarianceDeliveryToSend(db: Db, id: string): Promise<{ delivery: Delivery; alert: BillVarianceAlert; channel: AlertChannel } | undefined> {
  const delivery = await getDelivery(db, 'bill_variance_deliveries', id);
  if (!delivery) return undefined;
  const [{ rows }, channel] = await Promise.all([
    db.query(`SELECT ${COLUMNS} FROM bill_variance_alerts WHERE id = $1`, [delivery.parentId]),
    getAlertChannel(db, delivery.workspaceId, delivery.channelId),
  ]);
  return rows[0] && channel ? { delivery, alert: toAlert(rows[0]), channel } : undefined;
}
