// Events the ingest worker could not store (the database refused a value, or pricing
// failed), with the reason; the rest of their batch was stored. An admin sees them in
// systemStatus and replays them once the cause is fixed (db/migrations/1765000400000_event_ids.sql).
import { iso } from './iso.ts';
import type { Db, PoolClient } from './pool.ts';

export interface DeadLetter {
  workspaceId: string;
  eventId: string;
  occurredAt: string;
  /** The queued event, replayed as it was. */
  event: unknown;
  /** SQLSTATE, or 'pricing'. */
  code: string;
  error: string;
}

export interface DeadLetterEntry {
  eventId: string;
  occurredAt: string;
  code: string;
  error: string;
  failedAt: string;
  attempts: number;
}

export interface DeadLetterSummary {
  count: number;
  oldestAt: string | null;
  /** The newest ones first. */
  entries: DeadLetterEntry[];
}

/** Text any column takes: JSON.stringify escapes NUL and lone surrogates; error texts are cleaned. */
const storable = (s: string) => s.replaceAll('\u0000', '\\u0000').toWellFormed();

/** Records dead letters; an event dead-lettered again (a retried job, a failed replay) counts one more attempt. */
export async function addDeadLetters(db: Db, letters: DeadLetter[]): Promise<void> {
  if (!letters.length) return;
  await db.query(
    `INSERT INTO ingest_dead_letters (workspace_id, event_id, occurred_at, event, error_code, error)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])
     ON CONFLICT (workspace_id, event_id) DO UPDATE SET event = EXCLUDED.event, error_code = EXCLUDED.error_code,
       error = EXCLUDED.error, failed_at = now(), attempts = ingest_dead_letters.attempts + 1`,
    [
      letters.map((l) => l.workspaceId), letters.map((l) => l.eventId), letters.map((l) => storable(l.occurredAt)),
      letters.map((l) => JSON.stringify(l.event)), letters.map((l) => storable(l.code)), letters.map((l) => storable(l.error)),
    ],
  );
}

export async function deadLetterSummary(db: Db, workspaceId: string, limit = 20): Promise<DeadLetterSummary> {
  const [totals, recent] = await Promise.all([
    db.query('SELECT count(*)::int AS count, min(failed_at) AS oldest FROM ingest_dead_letters WHERE workspace_id = $1', [workspaceId]),
    db.query(
      `SELECT event_id, occurred_at, error_code, error, failed_at, attempts FROM ingest_dead_letters
        WHERE workspace_id = $1 ORDER BY failed_at DESC, event_id LIMIT $2`,
      [workspaceId, limit],
    ),
  ]);
  return {
    count: totals.rows[0].count,
    oldestAt: iso(totals.rows[0].oldest),
    entries: recent.rows.map((r) => ({
      eventId: r.event_id, occurredAt: r.occurred_at, code: r.error_code, error: r.error, failedAt: iso(r.failed_at), attempts: r.attempts,
    })),
  };
}

/**
 * Removes a workspace's dead letters (those named, or all) and returns their events, for a
 * replay: call it in the transaction that queues them, so a failed queue keeps them here.
 */
export async function takeDeadLetters(client: PoolClient, workspaceId: string, eventIds?: string[] | null, limit = 10_000): Promise<unknown[]> {
  const { rows } = await client.query(
    `DELETE FROM ingest_dead_letters d USING (
       SELECT event_id FROM ingest_dead_letters
        WHERE workspace_id = $1 AND ($2::uuid[] IS NULL OR event_id = ANY ($2::uuid[]))
        ORDER BY failed_at, event_id LIMIT $3 FOR UPDATE) t
      WHERE d.workspace_id = $1 AND d.event_id = t.event_id
      RETURNING d.event`,
    [workspaceId, eventIds ?? null, limit],
  );
  return rows.map((r) => JSON.parse(r.event));
}
