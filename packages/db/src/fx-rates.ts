// ECB reference rates in the database (db/migrations/1796401882504_currencies.sql,
// docs/decisions/0023-currencies.md): the shipped history, imports of newer days, and the
// factors events are stored with. An import re-converts exactly the events whose factor it
// changed and marks their days dirty, in its transaction, so every roll-up stays exact.
import { type FxRate, shippedNewest, shippedRates } from '@spendgraph/fx';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { type Db, type Pool, type PoolClient, withTransaction } from './pool.ts';

/**
 * Ingest holds this lock shared while it reads factors and stores events; an import holds it
 * exclusively, so no event is stored with a factor from rates an import is replacing.
 */
const FX_LOCK = 7_316_000_417;

export interface FxImportOutcome {
  /** Days × currencies stored for the first time. */
  added: number;
  /** Stored rates replaced by a different value (only with `revise`). */
  revised: number;
  /** Rates equal to the stored ones. */
  unchanged: number;
  /** Rates differing from stored ones and left as they were (an import without `revise`). */
  kept: number;
  /** Events whose converted cost changed (their UTC days are marked dirty). */
  eventsReconverted: number;
  /** The newest day with a rate after the import. */
  latestDay: string | null;
}

export interface FxImportOptions {
  source: 'shipped' | 'import';
  /** Replace stored rates that differ (the ECB's corrections); otherwise stored days are kept. */
  revise?: boolean;
}

const STAGE = `CREATE TEMP TABLE fx_rates_incoming (currency text, day date, per_eur numeric) ON COMMIT DROP`;

// The days whose rates changed or fell back to a changed one: per currency, the first changed day
// to the next stored day after the last changed one; one currency, or any when several changed (one
// scan of the events from the first such day instead of one per currency: an import of a day
// changes every currency, the shipped history all of them).
const SPAN = `WITH per AS (
    SELECT c.currency, min(c.day) AS from_day,
           (SELECT min(r.day) FROM fx_rates r WHERE r.currency = c.currency AND r.day > max(c.day)) AS to_day
      FROM fx_rates_changed c GROUP BY c.currency)
  SELECT CASE WHEN count(*) = 1 THEN min(currency) END AS currency, min(from_day)::text AS from_day,
         CASE WHEN bool_and(to_day IS NOT NULL) THEN max(to_day)::text END AS to_day
    FROM per HAVING count(*) > 0`;

/** Stores rates and re-converts the events they change, in one transaction. */
export async function importFxRates(db: Db, rates: FxRate[], o: FxImportOptions): Promise<FxImportOutcome> {
  return withTransaction(db, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [FX_LOCK]);
    await client.query(STAGE);
    await copyRates(client, rates);
    const counts = (await client.query(COUNT_INCOMING)).rows[0];
    await client.query('CREATE TEMP TABLE fx_rates_changed (currency text, day date) ON COMMIT DROP');
    await client.query(`WITH up AS (${UPSERT}) INSERT INTO fx_rates_changed SELECT currency, day FROM up`, [o.source, o.revise ?? false]);
    let eventsReconverted = 0;
    const span = (await client.query<{ currency: string | null; from_day: string; to_day: string | null }>(SPAN)).rows[0];
    if (span) {
      const n = await client.query('SELECT sg_fx_refresh_events(NULL, $1, $2::date, $3::date) AS n', [span.currency, span.from_day, span.to_day]);
      eventsReconverted = Number(n.rows[0].n);
    }
    const latest = await client.query<{ day: string | null }>(`SELECT max(day)::text AS day FROM fx_rates`);
    return {
      added: Number(counts.added), revised: o.revise ? Number(counts.differing) : 0, unchanged: Number(counts.unchanged),
      kept: o.revise ? 0 : Number(counts.differing), eventsReconverted, latestDay: latest.rows[0]!.day,
    };
  });
}

// A file may state a day twice (two files concatenated): the last statement wins.
const INCOMING = `SELECT DISTINCT ON (currency, day) currency, day, per_eur FROM fx_rates_incoming`;
const COUNT_INCOMING = `SELECT count(*) FILTER (WHERE r.per_eur IS NULL) AS added,
         count(*) FILTER (WHERE r.per_eur = i.per_eur) AS unchanged,
         count(*) FILTER (WHERE r.per_eur <> i.per_eur) AS differing
    FROM (${INCOMING}) i LEFT JOIN fx_rates r USING (currency, day)`;
const UPSERT = `INSERT INTO fx_rates (currency, day, per_eur, source) SELECT currency, day, per_eur, $1 FROM (${INCOMING}) i
  ON CONFLICT (currency, day) DO UPDATE SET per_eur = EXCLUDED.per_eur, source = EXCLUDED.source, imported_at = now()
   WHERE $2 AND fx_rates.per_eur <> EXCLUDED.per_eur
  RETURNING currency, day`;

async function copyRates(client: PoolClient, rates: FxRate[]): Promise<void> {
  const text = rates.map((r) => `${r.currency}\t${r.day}\t${r.perEur}\n`).join('');
  await pipeline(Readable.from([text]), client.query(copyFrom('COPY fx_rates_incoming (currency, day, per_eur) FROM STDIN')));
}

/** Loads the shipped ECB history unless it is stored already (after the migrations). */
export async function seedShippedFxRates(pool: Pool): Promise<FxImportOutcome | null> {
  const newest = shippedNewest();
  const { rows } = await pool.query('SELECT 1 FROM fx_rates WHERE currency = $1 AND day = $2', [newest.currency, newest.day]);
  return rows.length ? null : importFxRates(pool, shippedRates(), { source: 'shipped' });
}

/** The rates' coverage: how many days, the first and the newest, and the currencies. */
export async function fxRatesCoverage(db: Db): Promise<{ days: number; firstDay: string | null; latestDay: string | null; currencies: string[] }> {
  const { rows } = await db.query(
    `SELECT count(DISTINCT day)::int AS days, min(day)::text AS first_day, max(day)::text AS latest_day,
            coalesce(array_agg(DISTINCT currency ORDER BY currency), '{}') AS currencies FROM fx_rates`,
  );
  const r = rows[0];
  return { days: r.days, firstDay: r.first_day, latestDay: r.latest_day, currencies: ['EUR', ...r.currencies].sort() };
}

/** Whether a currency can be converted (EUR or any currency with an ECB rate). */
export async function knownCurrency(db: Db, currency: string): Promise<boolean> {
  if (currency === 'EUR') return true;
  return (await db.query('SELECT 1 FROM fx_rates WHERE currency = $1 LIMIT 1', [currency])).rows.length > 0;
}

/**
 * The factor of each (workspace, currency, UTC day) of a batch of events to store, inside the
 * storing transaction: the rates are locked against imports and the workspaces against a change of
 * reporting currency until the batch commits.
 */
export async function factorsForBatch(client: PoolClient, keys: Array<{ ws: string; cur: string; day: string }>): Promise<Map<string, string | null>> {
  await client.query('SELECT pg_advisory_xact_lock_shared($1)', [FX_LOCK]);
  const { rows } = await client.query<{ ws: string; cur: string; day: string; f: string | null }>(
    `SELECT k.ws, k.cur, k.day::text AS day, sg_fx_factor(k.cur, w.currency, k.day) AS f
       FROM jsonb_to_recordset($1::jsonb) AS k (ws uuid, cur text, day date)
       JOIN (SELECT id, currency FROM workspaces WHERE id = ANY($2::uuid[]) ORDER BY id FOR SHARE) w ON w.id = k.ws`,
    [JSON.stringify(keys), [...new Set(keys.map((k) => k.ws))]],
  );
  return new Map(rows.map((r) => [factorKey(r.ws, r.cur, r.day), r.f]));
}

export const factorKey = (ws: string, cur: string, day: string) => `${ws.toLowerCase()}|${cur}|${day}`;

/** Re-converts a workspace's events after its reporting currency changed (in that transaction). */
export async function reconvertWorkspace(client: PoolClient, workspaceId: string): Promise<number> {
  const { rows } = await client.query('SELECT sg_fx_refresh_events($1, NULL, NULL, NULL) AS n', [workspaceId]);
  return Number(rows[0].n);
}
