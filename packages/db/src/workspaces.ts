import { createHash, randomBytes } from 'node:crypto';
import type { Db, Pool } from './pool.ts';

export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface Workspace {
  id: string;
  slug: string;
  name: string;
  repriceSuppliedCosts: boolean;
}

/** Who a credential is: an API key, or a person's session acting in one workspace. */
export interface ApiKeyIdentity {
  /** The key; null for a person (their web session). */
  keyId: string | null;
  workspaceId: string;
  /** A key's scopes; a person's are their role's (rolesScopes). */
  scopes: ApiKeyScope[];
  /** The person, for their sessions. */
  userId?: string;
  role?: 'owner' | 'admin' | 'analyst' | 'viewer';
  /** When the credential stops working (ms since the epoch; the earlier of key and session expiry); checked on every use. */
  expiresAt?: number;
  /** Dimension values the key is confined to (e.g. { agent: 'build-bot' }): stamped on what it writes, filtered on what it reads. */
  restriction?: Readonly<Record<string, string>>;
}

/** The expiry and restriction of a credential as ApiKeyIdentity carries them (absent when there is none). */
export function keyLimits(expiresAt: Date | null, restriction: Record<string, string> | null): Pick<ApiKeyIdentity, 'expiresAt' | 'restriction'> {
  return {
    ...(expiresAt ? { expiresAt: expiresAt.getTime() } : {}),
    ...(restriction && Object.keys(restriction).length ? { restriction: Object.freeze({ ...restriction }) } : {}),
  };
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

const WORKSPACE_COLUMNS = 'id, slug, name, reprice_supplied_costs';

const toWorkspace = (r: any): Workspace => ({ id: r.id, slug: r.slug, name: r.name, repriceSuppliedCosts: r.reprice_supplied_costs });

export async function ensureWorkspace(pool: Pool, slug: string, name = slug): Promise<Workspace> {
  const { rows } = await pool.query(
    `INSERT INTO workspaces (slug, name) VALUES ($1, $2)
     ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
     RETURNING ${WORKSPACE_COLUMNS}`,
    [slug, name],
  );
  return toWorkspace(rows[0]);
}

export async function getWorkspace(pool: Pool, id: string): Promise<Workspace | undefined> {
  const { rows } = await pool.query(`SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE id = $1`, [id]);
  return rows[0] && toWorkspace(rows[0]);
}

/** Creates a key and returns it in clear text: the only time it is ever visible. */
export async function createApiKey(
  pool: Pool,
  workspaceId: string,
  scopes: ApiKeyScope[],
  name = 'default',
): Promise<{ id: string; key: string }> {
  const key = `sg_${randomBytes(32).toString('base64url')}`;
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO api_keys (workspace_id, name, prefix, key_hash, scopes) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [workspaceId, name, key.slice(0, 10), hashApiKey(key), scopes],
  );
  return { id: rows[0]!.id, key };
}

/** A key that works: not revoked, not expired (a rotated key works until its overlap ends). Notes its use. */
export async function findApiKey(pool: Pool, key: string): Promise<ApiKeyIdentity | undefined> {
  const { rows } = await pool.query<{ id: string; workspace_id: string; scopes: ApiKeyScope[]; expires_at: Date | null; restriction: Record<string, string> | null }>(
    `SELECT id, workspace_id, scopes, expires_at, restriction FROM api_keys
      WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    [hashApiKey(key)],
  );
  const row = rows[0];
  if (row) await noteKeyUse(pool, row.id);
  return row && { keyId: row.id, workspaceId: row.workspace_id, scopes: row.scopes, ...keyLimits(row.expires_at, row.restriction) };
}

/** last_used_at to the minute: lookups are cached, so this runs at most once per process and cache lifetime. */
async function noteKeyUse(pool: Pool, keyId: string) {
  await pool.query(
    `UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [keyId],
  );
}

export async function revokeApiKey(pool: Pool, keyId: string): Promise<void> {
  await pool.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [keyId]);
}

/** Every workspace id (scheduled jobs fan out over them). */
export async function listWorkspaceIds(db: Db): Promise<string[]> {
  const { rows } = await db.query('SELECT id FROM workspaces ORDER BY id');
  return rows.map((r) => r.id);
}
