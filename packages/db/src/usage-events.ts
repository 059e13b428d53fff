import type { Pool, PoolClient } from './pool.ts';

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

const INSERT_SQL = `
  INSERT INTO usage_events (${USAGE_EVENT_COLUMNS.map(([c]) => c).join(', ')})
  SELECT * FROM unnest(${USAGE_EVENT_COLUMNS.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')})
  ON CONFLICT DO NOTHING`;

/**
 * Inserts rows in one statement (one array parameter per column, so the
 * statement stays the same size whatever the batch). Rows already stored —
 * a re-delivered job, a retried request — are skipped. Returns how many were new.
 */
export async function insertUsageEvents(db: Pool | PoolClient, rows: UsageEventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = USAGE_EVENT_COLUMNS.map(([c]) =>
    c === 'tags' ? rows.map((r) => JSON.stringify(r.tags)) : rows.map((r) => r[c]),
  );
  const result = await db.query({ text: INSERT_SQL, values: columns });
  return result.rowCount ?? 0;
}
