// Database errors the client caused, as client errors; everything else stays "internal error".
// No answer ever carries the database's own text or a stack: it names tables, columns, types and
// values, and it changes with Postgres versions.

export interface ClientError {
  status: number;
  /** Stable code for clients (also GraphQL's extensions.code). */
  code: string;
  message: string;
}

/** The SQLSTATE of a Postgres error, found through Cube's and pg's wrappers. */
export function sqlState(e: unknown, depth = 0): string | undefined {
  if (!e || typeof e !== 'object' || depth > 3) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  return sqlState((e as { cause?: unknown }).cause, depth + 1) ?? sqlState((e as { error?: unknown }).error, depth + 1);
}

/** Maps the SQLSTATE classes a request can cause; undefined for the server's own failures. */
export function databaseClientError(e: unknown): ClientError | undefined {
  const state = sqlState(e);
  if (!state) return undefined;
  const cls = state.slice(0, 2);
  if (cls === '22') return { status: 400, code: 'INVALID_VALUE', message: 'a value of the request is malformed or out of range (dates from year 1 to 9999, finite numbers, text without NUL characters)' };
  if (state === '23505') return { status: 409, code: 'CONFLICT', message: 'this already exists' };
  if (state === '23503') return { status: 404, code: 'NOT_FOUND', message: 'the request refers to something that does not exist in this workspace' };
  if (cls === '23') return { status: 400, code: 'INVALID_VALUE', message: 'a value of the request breaks a rule of its field' };
  if (cls === '54') return { status: 400, code: 'TOO_LARGE', message: 'the request is too large or too complex; narrow it' };
  if (state === '57014') return { status: 503, code: 'QUERY_TIMEOUT', message: 'the query took too long; narrow the time range or filters, or retry' };
  if (cls === '53' || cls === '08' || state === '57P01' || state === '57P03') return { status: 503, code: 'UNAVAILABLE', message: 'the database is unavailable; retry' };
  return undefined;
}

/**
 * The database is busy or out of reach, retry: pg's own client-side timeouts and pool waits (no
 * SQLSTATE), a refused or dropped connection (a read replica restarting), a server shutting down
 * or starting up (SQLSTATE 57P01-57P03).
 */
export function isDatabaseBusy(e: unknown): boolean {
  const { message = '', code = '' } = (e ?? {}) as { message?: string; code?: string };
  return (
    /^(Query read timeout|timeout exceeded when trying to connect|Connection terminated)/.test(message) ||
    /^connect ECONNREFUSED/.test(message) ||
    /^ResourceRequest timed out/.test(message) || // Cube's driver pool: no connection within its timeout
    ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P02', '57P03'].includes(code)
  );
}
