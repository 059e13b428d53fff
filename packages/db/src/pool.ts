import pg from 'pg';

// numeric and bigint stay strings (pg's default): money and token sums are exact.
export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** What a read or a single write runs on: the pool, or a transaction's client. */
export type Db = Pool | PoolClient;

export interface PoolOptions {
  /** Connections at most. */
  max?: number;
  /** application_name, to tell the pools apart in pg_stat_activity. */
  name?: string;
  /** Server-side limit per statement (statement_timeout); the client gives up a second later. */
  statementTimeoutMs?: number;
  /** How long a caller waits for a free connection before failing (no silent queueing forever). */
  connectTimeoutMs?: number;
  /**
   * false: no JIT compilation on these connections. Exports' statements have many cell expressions and
   * a high estimated cost, so PostgreSQL JIT-compiles them for seconds (FOCUS over 1 M rows: 35 s with
   * JIT, 18 s without, ADR 0016); the semantic layer's driver turns it off for the same reason.
   */
  jit?: boolean;
}

/** Defaults for every pool: no database call may hang a request (DB_STATEMENT_TIMEOUT_MS overrides). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = Number(process.env.DB_STATEMENT_TIMEOUT_MS) || 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export function createPool(databaseUrl: string, maxOrOptions: number | PoolOptions = 10): pg.Pool {
  const o: PoolOptions = typeof maxOrOptions === 'number' ? { max: maxOrOptions } : maxOrOptions;
  const statementTimeout = o.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: o.max ?? 10,
    application_name: o.name ?? 'spendgraph',
    // Every call is bounded: by the server (statement_timeout, idle transactions), by the client
    // (query_timeout: a socket gone silent), and waiting for a connection (connectionTimeoutMillis).
    statement_timeout: statementTimeout,
    idle_in_transaction_session_timeout: statementTimeout * 2,
    query_timeout: statementTimeout + 1_000,
    connectionTimeoutMillis: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    ...(o.jit === false ? { options: '-c jit=off' } : {}),
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Nor a checked-out client losing it between two queries (a database restart): without a
  // listener that 'error' event kills the process. The query in flight fails with the same
  // error, and the pool discards the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/**
 * Runs `fn` in a transaction on one client: committed when it resolves, rolled back when it throws.
 * Given a transaction's client instead of the pool, it runs inside that transaction (a savepoint):
 * a change and its audit entry are then one transaction (apps/api/src/audit.ts).
 */
export async function withTransaction<T>(db: Db, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  if (!(db instanceof pg.Pool)) return inSavepoint(db, fn);
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

async function inSavepoint<T>(client: pg.PoolClient, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  await client.query('SAVEPOINT nested');
  try {
    const result = await fn(client);
    await client.query('RELEASE SAVEPOINT nested');
    return result;
  } catch (e) {
    await client.query('ROLLBACK TO SAVEPOINT nested').catch(() => {});
    throw e;
  }
}
