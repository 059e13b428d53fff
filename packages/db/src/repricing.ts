// Explicit repricing of stored events after a price change, with its audit record
// (db/migrations/1764903600000_repricing.sql). The worker supplies the pricing.
import { type Pool, withTransaction } from './pool.ts';
import type { UsageEventRow } from './usage-events.ts';
import { markRollupDaysDirty, utcDays } from './rollup-dirty-days.ts';

export interface RepricingRequest {
  workspaceId: string;
  /** The key that asked, or null when a person did (userId). */
  keyId: string | null;
  userId?: string | null;
  reason: string;
  provider: string;
  modelPattern: string | null;
  from: string;
  to: string;
}

export interface Repricing {
  id: string;
  workspace_id: string;
  requested_by_key: string | null;
  requested_by_name: string;
  requested_at: Date;
  reason: string;
  provider: string;
  model_pattern: string | null;
  range_from: Date;
  range_to: Date;
  status: 'queued' | 'done' | 'failed';
  started_at: Date | null;
  finished_at: Date | null;
  events_matched: string | null;
  events_changed: string | null;
  total_before: string | null;
  total_after: string | null;
  unpriced_before: string | null;
  unpriced_after: string | null;
  sources_before: Record<string, number> | null;
  sources_after: Record<string, number> | null;
  error: string | null;
}

/** Records the request (status queued); the requester is named by its key's name and prefix, or the person's e-mail. */
export async function requestRepricing(pool: Pool, r: RepricingRequest): Promise<Repricing> {
  const { rows } = await pool.query<Repricing>(
    `INSERT INTO repricings (workspace_id, requested_by_key, requested_by_name, reason, provider, model_pattern, range_from, range_to)
     SELECT $1, $2, coalesce((SELECT name || ' (' || prefix || '…)' FROM api_keys WHERE id = $2 AND workspace_id = $1),
                            (SELECT email FROM users WHERE id = $8), 'unknown key'), $3, $4, $5, $6, $7
     RETURNING *`,
    [r.workspaceId, r.keyId, r.reason, r.provider, r.modelPattern, r.from, r.to, r.userId ?? null],
  );
  return rows[0]!;
}

export async function getRepricing(pool: Pool, workspaceId: string, id: string): Promise<Repricing | undefined> {
  const { rows } = await pool.query<Repricing>('SELECT * FROM repricings WHERE workspace_id = $1 AND id = $2', [workspaceId, id]);
  return rows[0];
}

export async function listRepricings(pool: Pool, workspaceId: string, first: number): Promise<Repricing[]> {
  const { rows } = await pool.query<Repricing>('SELECT * FROM repricings WHERE workspace_id = $1 ORDER BY requested_at DESC LIMIT $2', [workspaceId, first]);
  return rows;
}

export async function failRepricing(pool: Pool, id: string, error: string): Promise<void> {
  await pool.query(`UPDATE repricings SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1 AND status <> 'done'`, [id, error]);
}

/** A stored event as pricing needs it. */
export type StoredEvent = Pick<UsageEventRow,
  'event_id' | 'occurred_at' | 'kind' | 'provider' | 'model' | 'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_write_5m_tokens'
  | 'cache_write_1h_tokens' | 'reasoning_tokens' | 'total_cost' | 'currency' | 'price_source' | 'source'>;

export type NewCosts = Pick<UsageEventRow,
  'input_cost' | 'output_cost' | 'cache_read_cost' | 'cache_write_5m_cost' | 'cache_write_1h_cost' | 'reasoning_cost' | 'total_cost'
  | 'currency' | 'price_source' | 'price_version' | 'unpriced'>;

const COST_COLUMNS = ['input_cost', 'output_cost', 'cache_read_cost', 'cache_write_5m_cost', 'cache_write_1h_cost', 'reasoning_cost', 'total_cost',
  'currency', 'price_source', 'price_version', 'unpriced'] as const;

const SCOPE = `workspace_id = $1 AND provider = $2 AND ($3::text IS NULL OR model ~* $3) AND occurred_at >= $4 AND occurred_at < $5`;
const SUMMARY = `WITH e AS (
    SELECT total_cost, unpriced, coalesce(price_source || '|' || price_version, price_source, 'unpriced') AS src
      FROM usage_events WHERE ${SCOPE})
  SELECT (SELECT count(*) FROM e) AS matched, (SELECT sum(total_cost) FROM e) AS total,
         (SELECT count(*) FROM e WHERE unpriced) AS unpriced,
         (SELECT coalesce(jsonb_object_agg(src, n), '{}') FROM (SELECT src, count(*) AS n FROM e GROUP BY src) s) AS sources`;

/**
 * Reprices the events the request covers, in one transaction: the rows are locked, priced
 * again by `price`, changed ones updated, and the audit row gets the figures before and
 * after. Running it again for a finished request does nothing (a redelivered job).
 */
export async function applyRepricing(pool: Pool, id: string, price: (e: StoredEvent) => NewCosts): Promise<Repricing> {
  return withTransaction(pool, async (client) => {
    const r = (await client.query<Repricing>('SELECT * FROM repricings WHERE id = $1 FOR UPDATE', [id])).rows[0];
    if (!r) throw new Error(`repricing ${id} does not exist`);
    if (r.status === 'done') return r;
    const scope = [r.workspace_id, r.provider, r.model_pattern, r.range_from, r.range_to];
    const { rows: events } = await client.query<StoredEvent & { occurred_at: Date }>(`SELECT event_id, occurred_at, kind, provider, model,
        input_tokens::float8 AS input_tokens, output_tokens::float8 AS output_tokens, cache_read_tokens::float8 AS cache_read_tokens,
        cache_write_5m_tokens::float8 AS cache_write_5m_tokens, cache_write_1h_tokens::float8 AS cache_write_1h_tokens,
        reasoning_tokens::float8 AS reasoning_tokens, total_cost, currency, price_source, source
      FROM usage_events WHERE ${SCOPE} FOR UPDATE`, scope);
    const before = (await client.query(SUMMARY, scope)).rows[0];
    const updates = events.map((e) => ({ event_id: e.event_id, occurred_at: e.occurred_at.toISOString(), ...price(e) }));
    const changed = updates.length ? (await client.query(
      `UPDATE usage_events u SET ${COST_COLUMNS.map((c) => `${c} = n.${c}`).join(', ')}
         FROM jsonb_to_recordset($2::jsonb) AS n (event_id uuid, occurred_at timestamptz, input_cost numeric, output_cost numeric,
              cache_read_cost numeric, cache_write_5m_cost numeric, cache_write_1h_cost numeric, reasoning_cost numeric, total_cost numeric,
              currency text, price_source text, price_version text, unpriced boolean)
        WHERE u.workspace_id = $1 AND u.event_id = n.event_id AND u.occurred_at = n.occurred_at
          AND (${COST_COLUMNS.map((c) => `u.${c} IS DISTINCT FROM n.${c}`).join(' OR ')})`,
      [r.workspace_id, JSON.stringify(updates)],
    )).rowCount : 0;
    // Roll-up partitions of the repriced days are read from raw events until rebuilt.
    if (changed) await markRollupDaysDirty(client, r.workspace_id, utcDays(events.map((e) => e.occurred_at)));
    const after = (await client.query(SUMMARY, scope)).rows[0];
    const { rows } = await client.query<Repricing>(
      `UPDATE repricings SET status = 'done', started_at = now(), finished_at = clock_timestamp(), error = NULL,
              events_matched = $2, events_changed = $3, total_before = $4, total_after = $5, unpriced_before = $6, unpriced_after = $7,
              sources_before = $8, sources_after = $9
        WHERE id = $1 RETURNING *`,
      [id, before.matched, changed, before.total, after.total, before.unpriced, after.unpriced, before.sources, after.sources],
    );
    return rows[0]!;
  });
}
