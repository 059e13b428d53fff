// Which database errors blame a row (store the rest, dead-letter it) and which blame the
// moment (the database is down or busy: retry the whole job later).

export const UNIQUE_VIOLATION = '23505';

/** The SQLSTATE of an error the server sent (pg's DatabaseError carries a severity; a socket error does not). */
export function sqlState(e: unknown): string | undefined {
  const { code, severity } = (e ?? {}) as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && severity !== undefined ? code : undefined;
}

/**
 * The row's values are at fault: data exceptions (22: out of range, bad encoding, bad
 * COPY text), integrity violations other than a duplicate id (23), program limits such
 * as an index entry too large (54). The same row would fail again on any retry.
 */
export function isRefusedRow(e: unknown): boolean {
  const code = sqlState(e);
  if (!code || code === UNIQUE_VIOLATION) return false;
  return code.startsWith('22') || code.startsWith('23') || code.startsWith('54');
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// Classes: 08 connection, 40 rollback (deadlock, serialization), 53 insufficient resources,
// 55 object not in prerequisite state (lock not available), 57 operator intervention
// (shutdown, cannot connect now, statement timeout), 58 system error.
const TRANSIENT_CLASSES = ['08', '40', '53', '55', '57', '58'];

/** The database could not do the work now (down, restarting, overloaded): the same work can succeed later. */
export function isUnavailable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const state = sqlState(e);
  if (state) return TRANSIENT_CLASSES.some((c) => state.startsWith(c));
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i
    .test((e as Error)?.message ?? '');
}
