// Retention of raw events (see db/migrations/1764900000000_retention.sql for the rules):
// expired events move into usage_daily, emptied chunks are dropped.
import { now as clockNow } from '@spendgraph/periods/clock';
import { COST_COLUMNS, TOKENS_COLUMNS } from '@spendgraph/schema';
import { iso } from './iso.ts';
import { type Db, type Pool, type PoolClient, withTransaction } from './pool.ts';

export interface WorkspaceRetention {
  rawRetentionDays: number | null;
  /** Raw events before this instant (ISO) are gone; null when none were removed. */
  rawDataHorizon: string | null;
}

export async function workspaceRetention(pool: Db, workspaceId: string): Promise<WorkspaceRetention> {
  const { rows } = await pool.query('SELECT raw_retention_days, raw_data_horizon FROM workspaces WHERE id = $1', [workspaceId]);
  return { rawRetentionDays: rows[0]?.raw_retention_days ?? null, rawDataHorizon: iso(rows[0]?.raw_data_horizon ?? null) };
}

/** Days of raw events to keep; null keeps them forever. Takes effect at the next apply-retention run. */
export async function setRawRetention(pool: Db, workspaceId: string, days: number | null): Promise<WorkspaceRetention> {
  await pool.query('UPDATE workspaces SET raw_retention_days = $2 WHERE id = $1', [workspaceId, days]);
  return workspaceRetention(pool, workspaceId);
}

const BIGINT_SUMS = ['calls', 'latency_ms_sum', 'latency_ms_count', ...TOKENS_COLUMNS];
const NUMERIC_SUMS = [...COST_COLUMNS, 'total_cost'];
const MERGE = [
  ...BIGINT_SUMS.map((c) => `${c} = coalesce(usage_daily.${c}, 0) + coalesce(EXCLUDED.${c}, 0)`),
  ...NUMERIC_SUMS.map((c) => `${c} = sg_add(usage_daily.${c}, EXCLUDED.${c})`),
  'last_event_at = greatest(usage_daily.last_event_at, EXCLUDED.last_event_at)',
].join(',\n    ');
// A day already in usage_daily (late events that arrived after it expired) adds up.
const MOVE_TO_DAILY = `INSERT INTO usage_daily SELECT * FROM usage_events_by_day WHERE workspace_id = $1 AND day < $2
  ON CONFLICT ON CONSTRAINT usage_daily_key DO UPDATE SET
    ${MERGE}`;

// Roll-up partitions holding the removed days must not be read for them any more (the read path).
const MARK_EXPIRED_DIRTY = `SELECT mark_rollup_days_dirty($1, ARRAY(
  SELECT DISTINCT (occurred_at AT TIME ZONE 'UTC')::date FROM usage_events WHERE workspace_id = $1 AND occurred_at < $2))`;

export interface RetentionResult {
  workspaces: number;
  eventsRemoved: number;
  dailyRows: number;
  chunksDropped: number;
}

/**
 * Moves every expired raw event into usage_daily and drops the chunks left empty.
 * One transaction holding a lock that makes ingest wait (it never fails because of
 * it): no event is counted in both tables or in neither.
 */
export async function applyRetention(pool: Pool, now = clockNow()): Promise<RetentionResult> {
  return withTransaction(pool, async (client) => {
    await client.query('LOCK TABLE usage_events IN SHARE ROW EXCLUSIVE MODE');
    const { rows: due } = await client.query<{ id: string; cutoff: Date }>(
      `SELECT id, date_trunc('day', $1::timestamptz - raw_retention_days * interval '1 day', 'UTC') AS cutoff
         FROM workspaces WHERE raw_retention_days IS NOT NULL`,
      [now],
    );
    const result: RetentionResult = { workspaces: due.length, eventsRemoved: 0, dailyRows: 0, chunksDropped: 0 };
    for (const { id, cutoff } of due) {
      result.dailyRows += (await client.query(MOVE_TO_DAILY, [id, cutoff])).rowCount ?? 0;
      await client.query(MARK_EXPIRED_DIRTY, [id, cutoff]);
      result.eventsRemoved += (await client.query('DELETE FROM usage_events WHERE workspace_id = $1 AND occurred_at < $2', [id, cutoff])).rowCount ?? 0;
      await client.query('DELETE FROM usage_event_work_items WHERE workspace_id = $1 AND occurred_at < $2', [id, cutoff]);
      await client.query(`UPDATE workspaces SET raw_data_horizon = greatest(raw_data_horizon, $2) WHERE id = $1`, [id, cutoff]);
    }
    result.chunksDropped = await dropEmptyChunks(client);
    return result;
  });
}

/** Drops the oldest chunks while they are empty (no workspace keeps raw events in them). */
async function dropEmptyChunks(client: PoolClient): Promise<number> {
  const { rows: chunks } = await client.query<{ chunk: string; range_end: Date }>(
    `SELECT format('%I.%I', chunk_schema, chunk_name) AS chunk, range_end FROM timescaledb_information.chunks
      WHERE hypertable_schema = current_schema() AND hypertable_name = 'usage_events' ORDER BY range_start`,
  );
  let end: Date | undefined;
  let n = 0;
  for (const { chunk, range_end } of chunks) {
    const { rows } = await client.query(`SELECT EXISTS (SELECT 1 FROM ${chunk}) AS used`);
    if (rows[0].used) break;
    end = range_end;
    n++;
  }
  if (end) await client.query(`SELECT drop_chunks('usage_events', older_than => $1::timestamptz)`, [end]);
  return n;
}
