import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { Pool, PoolClient } from './pool.ts';
import { markRowsDirty } from './rollup-dirty-days.ts';

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



const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY's text format: \N for null; backslash, tab, newline and carriage return escaped. */
function copyField(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  // One test instead of four replaces: almost no value needs escaping, and this ran per field per row.
  return COPY_SPECIAL.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : s;
}

const COLUMN_NAMES = USAGE_EVENT_COLUMNS.map(([c]) => c);
const COLUMN_LIST = COLUMN_NAMES.join(', ');

/** One row as a line of COPY text (columns in USAGE_EVENT_COLUMNS order). */
export function copyLine(row: UsageEventRow): string {
  let line = copyField(row[COLUMN_NAMES[0]!]);
  for (let i = 1; i < COLUMN_NAMES.length; i++) line += '\t' + copyField(row[COLUMN_NAMES[i]!]);
  return line;
}

/**
 * Stores rows exactly once and returns how many were new.
 *
 * First try: COPY straight into the hypertable, the cheapest way in. A batch
 * seen before (a re-delivered job, a retried request) makes that COPY fail on
 * the unique key and roll back whole; it is then copied into a per-session
 * staging table and moved with INSERT ... ON CONFLICT DO NOTHING, which skips
 * what is already stored. New batches, nearly all of them, pay for one write.
 */
export async function insertUsageEvents(pool: Pool, rows: UsageEventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const text = rows.map(copyLine).join('\n') + '\n';
  const client = await pool.connect();
  try {
    try {
      // The rows and their days' dirty marks commit together (the read path relies on it).
      return await inTransaction(client, async () => {
        const n = await copyInto(client, 'usage_events', text);
        await markRowsDirty(client, rows);
        return n;
      });
    } catch (e) {
      if ((e as { code?: string }).code !== UNIQUE_VIOLATION) throw e;
    }
    return await inTransaction(client, async () => {
      await client.query('CREATE TEMP TABLE IF NOT EXISTS usage_events_incoming (LIKE usage_events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS');
      await copyInto(client, 'usage_events_incoming', text);
      const result = await client.query(`INSERT INTO usage_events (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM usage_events_incoming ON CONFLICT DO NOTHING`);
      if (result.rowCount) await markRowsDirty(client, rows);
      return result.rowCount ?? 0;
    });
  } finally {
    client.release();
  }
}

const UNIQUE_VIOLATION = '23505';

async function copyInto(client: PoolClient, table: string, text: string): Promise<number> {
  const copy = client.query(copyFrom(`COPY ${table} (${COLUMN_LIST}) FROM STDIN`));
  await pipeline(Readable.from([text]), copy);
  return copy.rowCount;
}

async function inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
