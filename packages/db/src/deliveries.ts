// What alert and report deliveries share: the log of attempts and the search
// for deliveries whose job was lost. Table names are a closed set, never input.
import type { Pool, PoolClient } from './pool.ts';

export type DeliveryTable = 'alert_deliveries' | 'report_deliveries';

export interface DeliveryOutcome {
  ok: boolean;
  httpStatus?: number | null;
  error?: string | null;
  /** No retry is left (or none can help): a failure ends the delivery as 'failed'. */
  final?: boolean;
}

/** Records one attempt: delivered, or its error. */
export async function recordDeliveryAttempt(db: Pool | PoolClient, table: DeliveryTable, id: string, outcome: DeliveryOutcome): Promise<void> {
  await db.query(
    `UPDATE ${table} SET attempts = attempts + 1, last_status = $2, last_error = $3, updated_at = now(),
       status = CASE WHEN $4 THEN 'delivered' WHEN $5 THEN 'failed' ELSE status END,
       delivered_at = CASE WHEN $4 THEN now() ELSE delivered_at END
     WHERE id = $1`,
    [id, outcome.httpStatus ?? null, outcome.ok ? null : (outcome.error ?? 'failed'), outcome.ok, outcome.final ?? false],
  );
}

/** Deliveries still pending after `olderThanMs` (their job was lost): to be queued again. */
export async function stalePendingDeliveries(db: Pool | PoolClient, table: DeliveryTable, olderThanMs: number): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT id FROM ${table} WHERE status = 'pending' AND updated_at < now() - make_interval(secs => $1 / 1000.0)
      ORDER BY created_at LIMIT 1000`,
    [olderThanMs],
  );
  return rows.map((r) => r.id);
}
