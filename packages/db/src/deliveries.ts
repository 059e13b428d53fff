// What alert and report deliveries share: their rows, the log of attempts and the
// search for deliveries whose job was lost. Table names are a closed set, never input.
import { iso } from './iso.ts';
import type { Db } from './pool.ts';

export type DeliveryTable = 'alert_deliveries' | 'report_deliveries' | 'bill_variance_deliveries' | 'notification_deliveries';

/** What a delivery delivers: a budget alert, a report, a bill variance alert or an alert rule's notification. */
const PARENT_COLUMN = { alert_deliveries: 'alert_id', report_deliveries: 'report_id', bill_variance_deliveries: 'alert_id', notification_deliveries: 'notification_id' } as const satisfies Record<DeliveryTable, string>;

/** One message to one channel, with its attempts. */
export interface Delivery {
  id: string;
  workspaceId: string;
  /** The alert or report delivered (per table). */
  parentId: string;
  channelId: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

const columns = (table: DeliveryTable) =>
  `id, workspace_id, ${PARENT_COLUMN[table]} AS parent_id, channel_id, status, attempts, last_status, last_error, created_at, updated_at, delivered_at`;

function toDelivery(r: any): Delivery {
  return {
    id: r.id, workspaceId: r.workspace_id, parentId: r.parent_id, channelId: r.channel_id, status: r.status,
    attempts: r.attempts, lastStatus: r.last_status, lastError: r.last_error, createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at), deliveredAt: iso(r.delivered_at),
  };
}

/** The deliveries of some alerts or reports of a workspace, oldest first. */
export async function listDeliveriesOf(db: Db, table: DeliveryTable, workspaceId: string, parentIds: string[]): Promise<Delivery[]> {
  const { rows } = await db.query(
    `SELECT ${columns(table)} FROM ${table} WHERE workspace_id = $1 AND ${PARENT_COLUMN[table]} = ANY ($2) ORDER BY created_at, id`,
    [workspaceId, parentIds],
  );
  return rows.map(toDelivery);
}

export async function getDelivery(db: Db, table: DeliveryTable, id: string): Promise<Delivery | undefined> {
  const { rows } = await db.query(`SELECT ${columns(table)} FROM ${table} WHERE id = $1`, [id]);
  return rows[0] ? toDelivery(rows[0]) : undefined;
}

export interface DeliveryOutcome {
  ok: boolean;
  httpStatus?: number | null;
  error?: string | null;
  /** No retry is left (or none can help): a failure ends the delivery as 'failed'. */
  final?: boolean;
}

/** Records one attempt: delivered, or its error. */
export async function recordDeliveryAttempt(db: Db, table: DeliveryTable, id: string, outcome: DeliveryOutcome): Promise<void> {
  await db.query(
    `UPDATE ${table} SET attempts = attempts + 1, last_status = $2, last_error = $3, updated_at = now(),
       status = CASE WHEN $4 THEN 'delivered' WHEN $5 THEN 'failed' ELSE status END,
       delivered_at = CASE WHEN $4 THEN now() ELSE delivered_at END
     WHERE id = $1`,
    [id, outcome.httpStatus ?? null, outcome.ok ? null : (outcome.error ?? 'failed'), outcome.ok, outcome.final ?? false],
  );
}

/** Deliveries still pending after `olderThanMs` (their job was lost): to be queued again. */
export async function stalePendingDeliveries(db: Db, table: DeliveryTable, olderThanMs: number): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT id FROM ${table} WHERE status = 'pending' AND updated_at < now() - make_interval(secs => $1 / 1000.0)
      ORDER BY created_at LIMIT 1000`,
    [olderThanMs],
  );
  return rows.map((r) => r.id);
}
