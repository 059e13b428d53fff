import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { Pool } from './pool.ts';

/** A priced event as stored in the `usage_events` hypertable. */
export interface UsageEventRow {
  workspace_id: string;
  event_id: string;
  occurred_at: string;
  kind: string;
  provider: string | null;
  model: string | null;
  status: string;
  latency_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  input_cost: string | null;
  output_cost: string | null;
  cache_read_cost: string | null;
  cache_write_5m_cost: string | null;
  cache_write_1h_cost: string | null;
  reasoning_cost: string | null;
  total_cost: string | null;
  currency: string;
  price_source: string | null;
  price_version: string | null;
  unpriced: boolean;
  space: string | null;
  plan_id: string | null;
  task_id: string | null;
  task_type: string | null;
  workflow: string | null;
  step: string | null;
  agent: string | null;
  user_id: string | null;
  customer_id: string | null;
  feature: string | null;
  session_id: string | null;
  work_item: string | null;
  source: string;
  tags: Record<string, unknown>;
}

/** Column → Postgres type, in insert order. */
export const USAGE_EVENT_COLUMNS: ReadonlyArray<readonly [keyof UsageEventRow, string]> = [
  ['workspace_id', 'uuid'],
  ['event_id', 'uuid'],
  ['occurred_at', 'timestamptz'],
  ['kind', 'text'],
  ['provider', 'text'],
  ['model', 'text'],
  ['status', 'text'],
  ['latency_ms', 'int4'],
  ['input_tokens', 'int8'],
  ['output_tokens', 'int8'],
  ['cache_read_tokens', 'int8'],
  ['cache_write_5m_tokens', 'int8'],
  ['cache_write_1h_tokens', 'int8'],
  ['reasoning_tokens', 'int8'],
  ['input_cost', 'numeric'],
  ['output_cost', 'numeric'],
  ['cache_read_cost', 'numeric'],
  ['cache_write_5m_cost', 'numeric'],
  ['cache_write_1h_cost', 'numeric'],
  ['reasoning_cost', 'numeric'],
  ['total_cost', 'numeric'],
  ['currency', 'text'],
  ['price_source', 'text'],
  ['price_version', 'text'],
  ['unpriced', 'bool'],
  ['space', 'text'],
  ['plan_id', 'text'],
  ['task_id', 'text'],
  ['task_type', 'text'],
  ['workflow', 'text'],
  ['step', 'text'],
  ['agent', 'text'],
  ['user_id', 'text'],
  ['customer_id', 'text'],
  ['feature', 'text'],
  ['session_id', 'text'],
  ['work_item', 'text'],
  ['source', 'text'],
  ['tags', 'jsonb'],
];

const COLUMN_LIST = USAGE_EVENT_COLUMNS.map(([c]) => c).join(', ');

/** A value in COPY's text format: \N for null; backslash, tab, newline and carriage return escaped. */
function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** One row as a line of COPY text (columns in USAGE_EVENT_COLUMNS order). */
export function copyLine(row: UsageEventRow): string {
  return USAGE_EVENT_COLUMNS.map(([c]) => copyField(row[c])).join('\t');
}

/**
 * Inserts rows with COPY into a per-session staging table, then one
 * INSERT ... SELECT that skips rows already stored — a re-delivered job, a
 * retried request (COPY itself cannot skip conflicts). COPY spares the per-value
 * parameter encoding that dominated the worker's profile. Returns how many rows were new.
 */
export async function insertUsageEvents(pool: Pool, rows: UsageEventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('CREATE TEMP TABLE IF NOT EXISTS usage_events_incoming (LIKE usage_events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS');
    await pipeline(
      Readable.from([rows.map(copyLine).join('\n') + '\n']),
      client.query(copyFrom(`COPY usage_events_incoming (${COLUMN_LIST}) FROM STDIN`)),
    );
    const result = await client.query(`INSERT INTO usage_events (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM usage_events_incoming ON CONFLICT DO NOTHING`);
    await client.query('COMMIT');
    return result.rowCount ?? 0;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
