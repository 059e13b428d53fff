// Opaque bearer tokens besides API keys: embed tokens (one chart, no key needed) and
// web sessions (the browser's stand-in for a key). Both are random strings stored as
// sha256, die with the key that made them, and can be listed and revoked.
import { randomBytes } from 'node:crypto';
import { iso } from './iso.ts';
import type { Db, Pool } from './pool.ts';
import type { Role } from './memberships.ts';
import { roleScopes } from './user-sessions.ts';
import { type ApiKeyIdentity, type ApiKeyScope, hashApiKey, keyLimits } from './workspaces.ts';

const newToken = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

export interface EmbedToken {
  id: string;
  workspaceId: string;
  /** The key that made it; null when a person did (createdBy). */
  apiKeyId: string | null;
  createdBy: string | null;
  prefix: string;
  chart: unknown;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

interface EmbedRow {
  id: string; workspace_id: string; api_key_id: string | null; created_by: string | null; prefix: string; chart: unknown;
  created_at: Date; expires_at: Date; revoked_at: Date | null;
}
const EMBED_COLUMNS = 'e.id, e.workspace_id, e.api_key_id, e.created_by, e.prefix, e.chart, e.created_at, e.expires_at, e.revoked_at';
const embed = (r: EmbedRow): EmbedToken => ({
  id: r.id, workspaceId: r.workspace_id, apiKeyId: r.api_key_id, createdBy: r.created_by, prefix: r.prefix, chart: r.chart,
  createdAt: iso(r.created_at), expiresAt: iso(r.expires_at), revokedAt: iso(r.revoked_at),
});

/** Stores a new embed token; the token itself is returned once, here. */
export async function createEmbedToken(pool: Db, t: { workspaceId: string; apiKeyId: string | null; createdBy?: string | null; chart: unknown; expiresAt: Date }) {
  const token = newToken('sge_');
  const { rows } = await pool.query<EmbedRow>(
    `INSERT INTO embed_tokens AS e (workspace_id, api_key_id, prefix, token_hash, chart, expires_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${EMBED_COLUMNS}`,
    [t.workspaceId, t.apiKeyId, token.slice(0, 10), hashApiKey(token), JSON.stringify(t.chart), t.expiresAt, t.createdBy ?? null],
  );
  return { token, embed: embed(rows[0]!) };
}

/** The embed of a token that still works: not expired, not revoked, its key not revoked. */
export async function findEmbedToken(pool: Pool, token: string): Promise<EmbedToken | undefined> {
  const { rows } = await pool.query<EmbedRow>(
    `SELECT ${EMBED_COLUMNS} FROM embed_tokens e LEFT JOIN api_keys k ON k.id = e.api_key_id
      WHERE e.token_hash = $1 AND e.revoked_at IS NULL AND e.expires_at > now() AND k.revoked_at IS NULL`,
    [hashApiKey(token)],
  );
  return rows[0] && embed(rows[0]);
}

/** The workspace's embed tokens, newest first; `revokedAt` is also set when their key was revoked. */
export async function listEmbedTokens(pool: Db, workspaceId: string): Promise<EmbedToken[]> {
  const { rows } = await pool.query<EmbedRow>(
    `SELECT e.id, e.workspace_id, e.api_key_id, e.created_by, e.prefix, e.chart, e.created_at, e.expires_at,
            least(e.revoked_at, k.revoked_at) AS revoked_at
       FROM embed_tokens e LEFT JOIN api_keys k ON k.id = e.api_key_id
      WHERE e.workspace_id = $1 ORDER BY e.created_at DESC, e.id LIMIT 1000`,
    [workspaceId],
  );
  return rows.map(embed);
}

/** Revokes one of the workspace's embed tokens; false when there is none by that id. */
export async function revokeEmbedToken(pool: Db, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    'UPDATE embed_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE workspace_id = $1 AND id = $2',
    [workspaceId, id],
  );
  return rowCount === 1;
}

/** Opens a web session for a key; the session id is returned once, here. */
export async function createWebSession(pool: Pool, apiKeyId: string, ttlMs: number): Promise<{ session: string; expiresAt: string }> {
  const session = newToken('sgs_');
  const { rows } = await pool.query<{ expires_at: Date }>(
    `INSERT INTO web_sessions (api_key_id, token_hash, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond') RETURNING expires_at`,
    [apiKeyId, hashApiKey(session), ttlMs],
  );
  return { session, expiresAt: iso(rows[0]!.expires_at) };
}

/** The identity of a live session: its key's workspace and scopes, or its person's role in its workspace. */
export async function findWebSession(pool: Pool, session: string): Promise<ApiKeyIdentity | undefined> {
  const { rows } = await pool.query<{
    key_id: string | null; workspace_id: string; scopes: ApiKeyScope[] | null; user_id: string | null; role: Role | null;
    expires_at: Date; restriction: Record<string, string> | null;
  }>(
    `SELECT k.id AS key_id, coalesce(k.workspace_id, s.workspace_id) AS workspace_id, k.scopes, s.user_id, m.role,
            least(s.expires_at, k.expires_at) AS expires_at, k.restriction
       FROM web_sessions s
       LEFT JOIN api_keys k ON k.id = s.api_key_id
       LEFT JOIN memberships m ON m.user_id = s.user_id AND m.workspace_id = s.workspace_id
       LEFT JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
        AND ((k.id IS NOT NULL AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()))
          OR (m.role IS NOT NULL AND u.disabled_at IS NULL))`,
    [hashApiKey(session)],
  );
  const row = rows[0];
  if (!row) return undefined;
  if (row.user_id && row.role) {
    return { keyId: null, workspaceId: row.workspace_id, scopes: roleScopes(row.role), userId: row.user_id, role: row.role, ...keyLimits(row.expires_at, null) };
  }
  return { keyId: row.key_id, workspaceId: row.workspace_id, scopes: row.scopes ?? [], ...keyLimits(row.expires_at, row.restriction) };
}

export async function revokeWebSession(pool: Pool, session: string): Promise<void> {
  await pool.query('UPDATE web_sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [hashApiKey(session)]);
}
