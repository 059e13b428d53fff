// API keys as people manage them: named, scoped, optionally expiring and confined to dimension
// values, listed by prefix (never the key), revoked, and rotated with an overlap window during
// which the old key works on. Creating and looking keys up for authentication: workspaces.ts.
import { randomBytes } from 'node:crypto';
import { iso } from './iso.ts';
import { type Pool, type PoolClient, withTransaction } from './pool.ts';
import { type ApiKeyScope, hashApiKey } from './workspaces.ts';

type Db = Pool | PoolClient;

export interface ApiKey {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  /** Dimension values the key is confined to, e.g. { agent: 'nightly-evals' }. */
  restriction: Record<string, string> | null;
  rotatedTo: string | null;
}

export interface NewApiKey {
  name: string;
  scopes: ApiKeyScope[];
  createdBy?: string | null;
  expiresAt?: Date | null;
  restriction?: Record<string, string> | null;
}

interface KeyRow {
  id: string; workspace_id: string; name: string; prefix: string; scopes: ApiKeyScope[]; created_by: string | null;
  created_at: Date; last_used_at: Date | null; expires_at: Date | null; revoked_at: Date | null;
  restriction: Record<string, string> | null; rotated_to: string | null;
}
const COLUMNS = 'id, workspace_id, name, prefix, scopes, created_by, created_at, last_used_at, expires_at, revoked_at, restriction, rotated_to';
const apiKey = (r: KeyRow): ApiKey => ({
  id: r.id, workspaceId: r.workspace_id, name: r.name, prefix: r.prefix, scopes: r.scopes, createdBy: r.created_by,
  createdAt: iso(r.created_at), lastUsedAt: iso(r.last_used_at),
  expiresAt: iso(r.expires_at), revokedAt: iso(r.revoked_at),
  restriction: r.restriction, rotatedTo: r.rotated_to,
});

/** Stores a new key; the key itself is returned once, here. */
export async function issueApiKey(db: Db, workspaceId: string, k: NewApiKey): Promise<{ key: string; apiKey: ApiKey }> {
  const key = `sg_${randomBytes(32).toString('base64url')}`;
  const { rows } = await db.query<KeyRow>(
    `INSERT INTO api_keys (workspace_id, name, prefix, key_hash, scopes, created_by, expires_at, restriction)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [workspaceId, k.name, key.slice(0, 10), hashApiKey(key), k.scopes, k.createdBy ?? null, k.expiresAt ?? null,
      k.restriction ? JSON.stringify(k.restriction) : null],
  );
  return { key, apiKey: apiKey(rows[0]!) };
}

export async function getApiKey(db: Db, workspaceId: string, id: string): Promise<ApiKey | undefined> {
  const { rows } = await db.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return rows[0] && apiKey(rows[0]);
}

export async function listApiKeys(db: Db, workspaceId: string): Promise<ApiKey[]> {
  const { rows } = await db.query<KeyRow>(
    `SELECT ${COLUMNS} FROM api_keys WHERE workspace_id = $1 ORDER BY created_at DESC, id LIMIT 1000`,
    [workspaceId],
  );
  return rows.map(apiKey);
}

/** Revokes one of the workspace's keys (announced to every API process); undefined when there is none. */
export async function revokeWorkspaceApiKey(db: Db, workspaceId: string, id: string): Promise<ApiKey | undefined> {
  const { rows } = await db.query<KeyRow>(
    `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [workspaceId, id],
  );
  return rows[0] && apiKey(rows[0]);
}

/**
 * A successor with the same name, scopes and restriction; the old key works on for `overlapMs`
 * (its expiry is brought forward, never pushed back). Undefined when the key is unknown or no
 * longer works.
 */
export async function rotateApiKey(
  db: Db, workspaceId: string, id: string, overlapMs: number, createdBy: string | null,
): Promise<{ key: string; apiKey: ApiKey; before: ApiKey; previous: ApiKey } | undefined> {
  return withTransaction(db, async (client) => {
    const { rows } = await client.query<KeyRow>(
      `SELECT ${COLUMNS} FROM api_keys WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL
          AND (expires_at IS NULL OR expires_at > now()) FOR UPDATE`,
      [workspaceId, id],
    );
    const old = rows[0];
    if (!old) return undefined;
    const next = await issueApiKey(client, workspaceId, {
      name: old.name, scopes: old.scopes, createdBy, expiresAt: old.expires_at, restriction: old.restriction,
    });
    const { rows: updated } = await client.query<KeyRow>(
      `UPDATE api_keys SET rotated_to = $2,
              expires_at = least(coalesce(expires_at, 'infinity'), now() + $3 * interval '1 millisecond')
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, next.apiKey.id, overlapMs],
    );
    return { ...next, before: apiKey(old), previous: apiKey(updated[0]!) };
  });
}
