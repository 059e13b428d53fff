import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { CONTEXT_FIELDS, COST_COLUMNS, type ContextField, type CostColumn, TOKENS_COLUMNS, type TokensColumn } from '@spendgraph/schema';
import { UNIQUE_VIOLATION, isRefusedRow, sqlState } from './errors.ts';
import { type Pool, type PoolClient, withTransaction } from './pool.ts';
import { factorKey, factorsForBatch } from './fx-rates.ts';
import { canonicalUtcDay } from './iso.ts';
import { markRowsDirty } from './rollup-dirty-days.ts';

/** A priced event as stored in the `usage_events` hypertable (its vocabulary: packages/schema). */
export interface UsageEventRow
  extends Record<TokensColumn, number>, Record<CostColumn | 'total_cost', string | null>, Record<ContextField, string | null> {
  workspace_id: string;
  event_id: string;
  occurred_at: string;
  kind: string;
  provider: string | null;
  model: string | null;
  status: string;
  latency_ms: number | null;
  currency: string;
  /**
   * What one unit of `currency` is worth in the workspace's reporting currency on the event's UTC
   * day (ECB reference rates); set by storeUsageEvents, null when no rate is known.
   */
  fx_rate?: string | null;
  price_source: string | null;
  price_version: string | null;
  unpriced: boolean;
  /** The tier the provider billed (standard, batch, flex, priority, scale); null when the event did not say. */
  service_tier?: string | null;
  /** The reasoning effort of the call (none, minimal, low, medium, high, xhigh); null when the source did not say. */
  effort?: string | null;
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
  ...TOKENS_COLUMNS.map((c) => [c, 'int8'] as const),
  ...COST_COLUMNS.map((c) => [c, 'numeric'] as const),
  ['total_cost', 'numeric'],
  ['currency', 'text'],
  ['fx_rate', 'numeric'],
  ['price_source', 'text'],
  ['price_version', 'text'],
  ['unpriced', 'bool'],
  ['service_tier', 'text'],
  ['effort', 'text'],
  ...CONTEXT_FIELDS.map((f) => [f, 'text'] as const),
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
const ID_COLUMN_LIST = 'workspace_id, event_id, occurred_at';

/** One row as a line of COPY text (columns in USAGE_EVENT_COLUMNS order). */
export function copyLine(row: UsageEventRow): string {
  let line = copyField(row[COLUMN_NAMES[0]!]);
  for (let i = 1; i < COLUMN_NAMES.length; i++) line += '\t' + copyField(row[COLUMN_NAMES[i]!]);
  return line;
}

export interface RefusedRow {
  row: UsageEventRow;
  /** SQLSTATE of the database's refusal, e.g. 22008 (a timestamp out of range). */
  code: string;
  message: string;
}

export interface StoreOutcome {
  /** Rows stored now (not those whose id was stored before). */
  inserted: UsageEventRow[];
  /** Rows the database refused; every other row of the batch is stored. */
  refused: RefusedRow[];
}

/** Work that must commit with the rows (dead letters, notes for the read path), in their transaction. */
export type InStoreTransaction = (client: PoolClient, outcome: StoreOutcome) => Promise<void>;

/**
 * Stores each event id once per workspace, whatever its occurred_at: the first stored
 * wins, within a batch its first occurrence (docs/decisions/0004-event-ids-and-dead-letters.md).
 * A row the database refuses is returned in `refused` and the rest stored: one bad row
 * never costs its batch. One transaction, `inTransaction` included.
 */
export async function storeUsageEvents(pool: Pool, rows: UsageEventRow[], inTransaction?: InStoreTransaction): Promise<StoreOutcome> {
  const batch = firstOfEachId(rows);
  return withTransaction(pool, async (client) => {
    await convertToReporting(client, batch);
    const outcome = await storeBatch(client, batch);
    await markRowsDirty(client, outcome.inserted); // the read path relies on rows and marks committing together
    await inTransaction?.(client, outcome);
    return outcome;
  });
}

/** storeUsageEvents for callers with no dead-letter queue (fixtures, tools): a refused row is an error. */
export async function insertUsageEvents(pool: Pool, rows: UsageEventRow[]): Promise<number> {
  const outcome = await storeUsageEvents(pool, rows, async (_, { refused }) => {
    if (refused.length) throw new Error(`the database refused event ${refused[0]!.row.event_id}: ${refused[0]!.message}`);
  });
  return outcome.inserted.length;
}

/** The UTC day of an instant; null for one the database will refuse anyway (the row goes to the dead letters). */
function utcDay(at: string): string | null {
  const canonical = canonicalUtcDay(at);
  if (canonical !== undefined && !canonical.startsWith('0000')) return canonical;
  const d = new Date(at);
  const day = Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !day.startsWith('0000') ? day : null; // Postgres has no year 0
}

/** Sets each row's fx_rate: its currency to its workspace's reporting currency, on its UTC day. */
async function convertToReporting(client: PoolClient, rows: UsageEventRow[]): Promise<void> {
  const keys = new Map<string, { ws: string; cur: string; day: string }>();
  for (const r of rows) {
    const day = utcDay(r.occurred_at);
    if (day) keys.set(factorKey(r.workspace_id, r.currency, day), { ws: r.workspace_id, cur: r.currency, day });
  }
  const factors = keys.size ? await factorsForBatch(client, [...keys.values()]) : new Map<string, string | null>();
  for (const r of rows) {
    const day = utcDay(r.occurred_at);
    r.fx_rate = day ? (factors.get(factorKey(r.workspace_id, r.currency, day)) ?? null) : null;
  }
}

const idKey = (r: UsageEventRow) => `${r.workspace_id}/${r.event_id}`.toLowerCase();

function firstOfEachId(rows: UsageEventRow[]): UsageEventRow[] {
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(idKey(r)) && seen.add(idKey(r)));
}

/**
 * Fast path: COPY the ids into usage_event_ids and the rows into usage_events, the
 * cheapest way in for new batches, nearly all of them. A batch seen before (a
 * re-delivered job, a retried request) fails the ids' COPY on their key, a refused value
 * fails either COPY; both then take the staging path.
 */
async function storeBatch(client: PoolClient, rows: UsageEventRow[]): Promise<StoreOutcome> {
  if (rows.length === 0) return { inserted: [], refused: [] };
  try {
    return await inSavepoint(client, async () => {
      await copyInto(client, 'usage_event_ids', ID_COLUMN_LIST, idText(rows));
      await copyInto(client, 'usage_events', COLUMN_LIST, rowText(rows));
      return { inserted: rows, refused: [] };
    });
  } catch (e) {
    if (sqlState(e) !== UNIQUE_VIOLATION && !isRefusedRow(e)) throw e;
  }
  const refused: RefusedRow[] = [];
  const inserted = await storeNewIsolatingRefused(client, rows, refused);
  return { inserted, refused };
}

/**
 * The staging path, skipping stored ids. A refused row makes it try each half of the
 * rows on its own until that row is alone (about 2·log2(n) attempts per bad row).
 */
async function storeNewIsolatingRefused(client: PoolClient, rows: UsageEventRow[], refused: RefusedRow[]): Promise<UsageEventRow[]> {
  try {
    return await inSavepoint(client, () => storeNew(client, rows));
  } catch (e) {
    if (!isRefusedRow(e)) throw e;
    if (rows.length === 1) {
      refused.push({ row: rows[0]!, code: sqlState(e)!, message: (e as Error).message });
      return [];
    }
    const half = Math.ceil(rows.length / 2);
    const first = await storeNewIsolatingRefused(client, rows.slice(0, half), refused);
    return [...first, ...(await storeNewIsolatingRefused(client, rows.slice(half), refused))];
  }
}

const STAGE = 'CREATE TEMP TABLE IF NOT EXISTS usage_events_incoming (LIKE usage_events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS';
const MOVE_NEW = `WITH fresh AS (
    INSERT INTO usage_event_ids (${ID_COLUMN_LIST})
    SELECT ${ID_COLUMN_LIST} FROM usage_events_incoming ORDER BY event_id
    ON CONFLICT DO NOTHING RETURNING workspace_id, event_id)
  INSERT INTO usage_events (${COLUMN_LIST})
  SELECT ${COLUMN_LIST} FROM usage_events_incoming JOIN fresh USING (workspace_id, event_id)
  RETURNING workspace_id, event_id`;

/** Rows whose id is new move from a staging table into both tables; the others are skipped. */
async function storeNew(client: PoolClient, rows: UsageEventRow[]): Promise<UsageEventRow[]> {
  await client.query(STAGE);
  await client.query('TRUNCATE usage_events_incoming');
  await copyInto(client, 'usage_events_incoming', COLUMN_LIST, rowText(rows));
  const { rows: fresh } = await client.query<{ workspace_id: string; event_id: string }>(MOVE_NEW);
  const stored = new Set(fresh.map((r) => `${r.workspace_id}/${r.event_id}`));
  return rows.filter((r) => stored.has(idKey(r)));
}

async function inSavepoint<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('SAVEPOINT store');
  try {
    const result = await work();
    await client.query('RELEASE SAVEPOINT store');
    return result;
  } catch (e) {
    await client.query('ROLLBACK TO SAVEPOINT store');
    throw e;
  }
}

const rowText = (rows: UsageEventRow[]) => rows.map(copyLine).join('\n') + '\n';

/** The ids' COPY text, in id order: concurrent batches sharing ids lock them in the same order. */
function idText(rows: UsageEventRow[]): string {
  const lines = rows.map((r) => `${r.workspace_id}\t${r.event_id.toLowerCase()}\t${r.occurred_at}`);
  return lines.sort().join('\n') + '\n';
}

async function copyInto(client: PoolClient, table: string, columns: string, text: string): Promise<number> {
  const copy = client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`));
  await pipeline(Readable.from([text]), copy);
  return copy.rowCount;
}
