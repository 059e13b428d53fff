// A person's web sessions: the same table, hashing and revocation announcement as a key's
// (web_sessions, tokens.ts), held by a person and acting in one workspace with the role the
// person has there at each request. Signing in always issues a new id (the one presented before,
// if any, is ended: no session fixation); sign-out, password change and leaving the workspace end it.
import { randomBytes } from 'node:crypto';
import { iso } from './iso.ts';
import type { Role } from './memberships.ts';
import { type Pool, withTransaction } from './pool.ts';
import { type ApiKeyScope, hashApiKey } from './workspaces.ts';

/** What the key-scoped routes see of a person: owners and admins act as admin keys, the others read. */
export function roleScopes(role: Role): ApiKeyScope[] {
  return role === 'owner' || role === 'admin' ? ['ingest', 'read', 'admin'] : ['read'];
}

export async function createUserSession(
  pool: Pool, s: { userId: string; workspaceId: string; ttlMs: number; replaces?: string },
): Promise<{ session: string; expiresAt: string }> {
  const session = `sgs_${randomBytes(32).toString('base64url')}`;
  return withTransaction(pool, async (client) => {
    if (s.replaces) {
      await client.query('UPDATE web_sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [hashApiKey(s.replaces)]);
    }
    const { rows } = await client.query<{ expires_at: Date }>(
      `INSERT INTO web_sessions (user_id, workspace_id, token_hash, expires_at)
       VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond') RETURNING expires_at`,
      [s.userId, s.workspaceId, hashApiKey(session), s.ttlMs],
    );
    return { session, expiresAt: iso(rows[0]!.expires_at) };
  });
}

/** Ends every session of a person (all workspaces); the API processes hear it at once. */
export async function revokeUserSessions(pool: Pool, userId: string): Promise<number> {
  const { rowCount } = await pool.query('UPDATE web_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
  return rowCount ?? 0;
}
