// People: e-mail (unique whatever its case), argon2id password, disabled or not, and the
// failed sign-ins that lock an account for a while. Changing the password ends every session.
import { hashPassword, verifyDecoy, verifyPassword } from './passwords.ts';
import { iso } from './iso.ts';
import { type Pool, type PoolClient, withTransaction } from './pool.ts';

type Db = Pool | PoolClient;

export interface User {
  id: string;
  email: string;
  name: string | null;
  hasPassword: boolean;
  disabledAt: string | null;
  createdAt: string;
  /** The user_id values the person's calls carry, as they set them (empty: their e-mail and its local part). */
  developerIds: string[];
}

interface UserRow {
  id: string; email: string; name: string | null; password_hash: string | null; disabled_at: Date | null; created_at: Date;
  failed_sign_ins: number; locked_until: Date | null; developer_ids: string[];
}
const COLUMNS = 'id, email, name, password_hash, disabled_at, created_at, failed_sign_ins, locked_until, developer_ids';
const user = (r: UserRow): User => ({
  id: r.id, email: r.email, name: r.name, hasPassword: r.password_hash !== null,
  disabledAt: iso(r.disabled_at), createdAt: iso(r.created_at), developerIds: r.developer_ids,
});

/** The user_id values a person's calls carry: those they set, else their e-mail and its local part. */
export function developerIdsOf(u: Pick<User, 'email' | 'developerIds'>): string[] {
  return u.developerIds.length ? u.developerIds : [...new Set([u.email, u.email.split('@')[0]!])];
}

/** Sets the user_id values of the person's calls (an empty list: back to their e-mail). */
export async function setDeveloperIds(db: Db, userId: string, ids: string[]): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>(`UPDATE users SET developer_ids = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [userId, ids]);
  return rows[0] && user(rows[0]);
}

export async function createUser(db: Db, u: { email: string; name?: string | null; password?: string }): Promise<User> {
  const passwordHash = u.password === undefined ? null : await hashPassword(u.password);
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (email, name, password_hash, password_changed_at) VALUES ($1, $2, $3, CASE WHEN $3::text IS NULL THEN NULL ELSE now() END)
     RETURNING ${COLUMNS}`,
    [u.email.trim(), u.name ?? null, passwordHash],
  );
  return user(rows[0]!);
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email.trim()]);
  return rows[0] && user(rows[0]);
}

export async function getUser(db: Db, id: string): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] && user(rows[0]);
}

/** Sets a new password, lifts a lockout and ends every session of the person (revocations are announced). */
export async function setPassword(pool: Db, userId: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await withTransaction(pool, async (client) => {
    await client.query(
      'UPDATE users SET password_hash = $2, password_changed_at = now(), failed_sign_ins = 0, locked_until = NULL WHERE id = $1',
      [userId, passwordHash],
    );
    await client.query('UPDATE web_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
  });
}

/** A disabled person cannot sign in, and their sessions stop working at once. */
export async function disableUser(pool: Pool, userId: string): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('UPDATE users SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1', [userId]);
    await client.query('UPDATE web_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
  });
}

export interface LockoutPolicy {
  /** Consecutive failures that lock the account. */
  maxFailures: number;
  /** How long it stays locked. */
  lockMs: number;
}
export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, lockMs: 15 * 60_000 };

export type SignInCheck =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterS: number };

/**
 * Checks an e-mail and password. Unknown e-mail, wrong password and disabled person answer
 * alike ('invalid'); `maxFailures` wrong passwords in a row lock the account for `lockMs`,
 * during which even the right password is refused.
 */
export async function checkSignIn(pool: Pool, email: string, password: string, policy: LockoutPolicy = DEFAULT_LOCKOUT): Promise<SignInCheck> {
  const { rows } = await pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email.trim()]);
  const row = rows[0];
  if (!row?.password_hash) return verifyDecoy(password).then(() => ({ ok: false, reason: 'invalid' }));
  const locked = lockedFor(row.locked_until);
  if (locked > 0) return { ok: false, reason: 'locked', retryAfterS: locked };
  if (!(await verifyPassword(row.password_hash, password))) {
    const { rows: after } = await pool.query<{ locked_until: Date | null }>(
      `UPDATE users SET
         failed_sign_ins = CASE WHEN failed_sign_ins + 1 >= $2 THEN 0 ELSE failed_sign_ins + 1 END,
         locked_until = CASE WHEN failed_sign_ins + 1 >= $2 THEN now() + $3 * interval '1 millisecond' ELSE locked_until END
       WHERE id = $1 RETURNING locked_until`,
      [row.id, policy.maxFailures, policy.lockMs],
    );
    const nowLocked = lockedFor(after[0]?.locked_until ?? null);
    return nowLocked > 0 ? { ok: false, reason: 'locked', retryAfterS: nowLocked } : { ok: false, reason: 'invalid' };
  }
  if (row.disabled_at) return { ok: false, reason: 'invalid' };
  if (row.failed_sign_ins > 0 || row.locked_until) {
    await pool.query('UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1', [row.id]);
  }
  return { ok: true, user: user(row) };
}

const lockedFor = (until: Date | null) => (until ? Math.max(0, Math.ceil((until.getTime() - Date.now()) / 1000)) : 0);
