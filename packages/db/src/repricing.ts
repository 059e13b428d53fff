// Explicit repricing of stored events after a price change, with its audit record
// (db/migrations/1764903600000_repricing.sql). The worker supplies the pricing.
import { iso } from './iso.ts';
import { type Db, type Pool, withTransaction } from './pool.ts';
import { COST_COLUMNS, TOKEN_TYPES, type TokenCounts, tokensColumn } from '@spendgraph/schema';
import { USAGE_EVENT_COLUMNS, type UsageEventRow } from './usage-events.ts';
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
  workspaceId: string;
  requestedByKey: string | null;
  requestedByName: string;
  requestedAt: string;
  reason: string;
  provider: string;
  modelPattern: string | null;
  rangeFrom: string;
  rangeTo: string;
  status: 'queued' | 'done' | 'failed';
  startedAt: string | null;
  finishedAt: string | null;
  /** Counts and decimal sums as strings (bigint and numeric stay exact). */
  eventsMatched: string | null;
  eventsChanged: string | null;
  totalBefore: string | null;
  totalAfter: string | null;
  unpricedBefore: string | null;
  unpricedAfter: string | null;
  /** Events per price source (`source|version`), before and after. */
  sourcesBefore: Record<string, number> | null;
  sourcesAfter: Record<string, number> | null;
  error: string | null;
}

const toRepricing = (r: any): Repricing => ({
  id: r.id, workspaceId: r.workspace_id, requestedByKey: r.requested_by_key, requestedByName: r.requested_by_name,
  requestedAt: iso(r.requested_at), reason: r.reason, provider: r.provider, modelPattern: r.model_pattern,
  rangeFrom: iso(r.range_from), rangeTo: iso(r.range_to), status: r.status, startedAt: iso(r.started_at), finishedAt: iso(r.finished_at),
  eventsMatched: r.events_matched, eventsChanged: r.events_changed, totalBefore: r.total_before, totalAfter: r.total_after,
  unpricedBefore: r.unpriced_before, unpricedAfter: r.unpriced_after, sourcesBefore: r.sources_before, sourcesAfter: r.sources_after,
  error: r.error,
});

/** Records the request (status queued); the requester is named by its key's name and prefix, or the person's e-mail. */
export async function requestRepricing(pool: Db, r: RepricingRequest): Promise<Repricing> {
  const { rows } = await pool.query(
    `INSERT INTO repricings (workspace_id, requested_by_key, requested_by_name, reason, provider, model_pattern, range_from, range_to)
     SELECT $1, $2, coalesce((SELECT name || ' (' || prefix || '…)' FROM api_keys WHERE id = $2 AND workspace_id = $1),
                            (SELECT email FROM users WHERE id = $8), 'unknown key'), $3, $4, $5, $6, $7
     RETURNING *`,
    [r.workspaceId, r.keyId, r.reason, r.provider, r.modelPattern, r.from, r.to, r.userId ?? null],
  );
  return toRepricing(rows[0]);
}

export async function getRepricing(pool: Pool, workspaceId: string, id: string): Promise<Repricing | undefined> {
  const { rows } = await pool.query('SELECT * FROM repricings WHERE workspace_id = $1 AND id = $2', [workspaceId, id]);
  return rows[0] && toRepricing(rows[0]);
}

export async function listRepricings(pool: Db, workspaceId: string, first: number): Promise<Repricing[]> {
  const { rows } = await pool.query('SELECT * FROM repricings WHERE workspace_id = $1 ORDER BY requested_at DESC LIMIT $2', [workspaceId, first]);
  return rows.map(toRepricing);
}

export async function failRepricing(pool: Pool, id: string, error: string): Promise<void> {
  await pool.query(`UPDATE repricings SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1 AND status <> 'done'`, [id, error]);
}

/** A stored event as pricing reads it: its tokens by type, and the cost its caller supplied (if any). */
export interface StoredEvent {
  event_id: string;
  occurred_at: string;
  kind: string;
  provider: string | null;
  model: string | null;
  tokens: TokenCounts;
  service_tier: string | null;
  cost: string | null;
  currency: string;
  source: string;
}

const UPDATED_COLUMNS = [...COST_COLUMNS, 'total_cost', 'currency', 'price_source', 'price_version', 'unpriced'] as const;
export type NewCosts = Pick<UsageEventRow, (typeof UPDATED_COLUMNS)[number]>;
const UPDATED_RECORD = USAGE_EVENT_COLUMNS.filter(([c]) => (UPDATED_COLUMNS as readonly string[]).includes(c)).map(([c, type]) => `${c} ${type}`).join(', ');
const STORED_EVENT = `event_id, occurred_at, kind, provider, model,
  json_build_object(${TOKEN_TYPES.map((t) => `'${t}', ${tokensColumn(t)}`).join(', ')}) AS tokens, service_tier,
  CASE WHEN price_source = 'supplied' THEN total_cost END AS cost, currency, source`;

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
    const r = (await client.query('SELECT * FROM repricings WHERE id = $1 FOR UPDATE', [id])).rows[0];
    if (!r) throw new Error(`repricing ${id} does not exist`);
    if (r.status === 'done') return toRepricing(r);
    const scope = [r.workspace_id, r.provider, r.model_pattern, r.range_from, r.range_to];
    const { rows } = await client.query<StoredEvent & { occurred_at: Date }>(`SELECT ${STORED_EVENT} FROM usage_events WHERE ${SCOPE} FOR UPDATE`, scope);
    const events = rows.map((e) => ({ ...e, occurred_at: iso(e.occurred_at) }));
    const before = (await client.query(SUMMARY, scope)).rows[0];
    const updates = events.map((e) => ({ event_id: e.event_id, occurred_at: e.occurred_at, ...price(e) }));
    const changed = updates.length ? (await client.query(
      `UPDATE usage_events u SET ${UPDATED_COLUMNS.map((c) => `${c} = n.${c}`).join(', ')}
         FROM jsonb_to_recordset($2::jsonb) AS n (event_id uuid, occurred_at timestamptz, ${UPDATED_RECORD})
        WHERE u.workspace_id = $1 AND u.event_id = n.event_id AND u.occurred_at = n.occurred_at
          AND (${UPDATED_COLUMNS.map((c) => `u.${c} IS DISTINCT FROM n.${c}`).join(' OR ')})`,
      [r.workspace_id, JSON.stringify(updates)],
    )).rowCount : 0;
    // Roll-up partitions of the repriced days are read from raw events until rebuilt.
    if (changed) await markRollupDaysDirty(client, r.workspace_id, utcDays(events.map((e) => e.occurred_at)));
    // A repriced event may have changed currency: its factor to the reporting currency follows.
    if (changed) await client.query('SELECT sg_fx_refresh_events($1, NULL, $2::date, ($3::timestamptz AT TIME ZONE \'UTC\')::date + 1)', [r.workspace_id, iso(r.range_from).slice(0, 10), r.range_to]);
    const after = (await client.query(SUMMARY, scope)).rows[0];
    const done = await client.query(
      `UPDATE repricings SET status = 'done', started_at = now(), finished_at = clock_timestamp(), error = NULL,
              events_matched = $2, events_changed = $3, total_before = $4, total_after = $5, unpriced_before = $6, unpriced_after = $7,
              sources_before = $8, sources_after = $9
        WHERE id = $1 RETURNING *`,
      [id, before.matched, changed, before.total, after.total, before.unpriced, after.unpriced, before.sources, after.sources],
    );
    return toRepricing(done.rows[0]);
  });
}
