// OpenID Connect connections (one per organization) and the sign-ins under way with them.
// The client secret arrives and leaves encrypted: this module never sees it in clear
// (apps/api/src/sso/secret-box.ts). db/migrations/1765003000000_sso_connections.sql.
import { createHash } from 'node:crypto';
import { iso } from './iso.ts';
import type { Role } from './memberships.ts';
import type { Db, Pool } from './pool.ts';

export interface SsoConnection {
  organizationId: string;
  issuer: string;
  clientId: string;
  /** Encrypted; null for a public client (PKCE only). */
  clientSecret: Buffer | null;
  domains: string[];
  defaultRole: Exclude<Role, 'owner'>;
  workspaceIds: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  organization_id: string; issuer: string; client_id: string; client_secret: Buffer | null; domains: string[];
  default_role: SsoConnection['defaultRole']; workspace_ids: string[]; enabled: boolean; created_at: Date; updated_at: Date;
}
const COLUMNS = 'organization_id, issuer, client_id, client_secret, domains, default_role, workspace_ids, enabled, created_at, updated_at';
const connection = (r: Row): SsoConnection => ({
  organizationId: r.organization_id, issuer: r.issuer, clientId: r.client_id, clientSecret: r.client_secret, domains: r.domains,
  defaultRole: r.default_role, workspaceIds: r.workspace_ids, enabled: r.enabled, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
});

export type SsoConnectionInput = Omit<SsoConnection, 'createdAt' | 'updatedAt' | 'clientSecret'> & {
  /** undefined keeps the stored secret; null removes it. */
  clientSecret?: Buffer | null;
};

/** Creates or replaces an organization's connection. A domain another organization has is a unique violation. */
export async function upsertSsoConnection(db: Db, c: SsoConnectionInput): Promise<SsoConnection> {
  const keepSecret = c.clientSecret === undefined;
  const { rows } = await db.query<Row>(
    `INSERT INTO sso_connections (organization_id, issuer, client_id, client_secret, domains, default_role, workspace_ids, enabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (organization_id) DO UPDATE SET
       issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
       client_secret = CASE WHEN $9 THEN sso_connections.client_secret ELSE EXCLUDED.client_secret END,
       domains = EXCLUDED.domains, default_role = EXCLUDED.default_role, workspace_ids = EXCLUDED.workspace_ids,
       enabled = EXCLUDED.enabled, updated_at = now()
     RETURNING ${COLUMNS}`,
    [c.organizationId, c.issuer, c.clientId, c.clientSecret ?? null, c.domains, c.defaultRole, c.workspaceIds, c.enabled, keepSecret],
  );
  return connection(rows[0]!);
}

export async function getSsoConnection(db: Db, organizationId: string): Promise<SsoConnection | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM sso_connections WHERE organization_id = $1`, [organizationId]);
  return rows[0] && connection(rows[0]);
}

/** The connection an e-mail domain signs in with (enabled or not: the caller says which it is). */
export async function findSsoConnectionByDomain(db: Db, domain: string): Promise<SsoConnection | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM sso_connections WHERE $1 = ANY (domains)`, [domain.toLowerCase()]);
  return rows[0] && connection(rows[0]);
}

export async function deleteSsoConnection(db: Db, organizationId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM sso_connections WHERE organization_id = $1', [organizationId]);
  return (rowCount ?? 0) > 0;
}

export interface SsoAttempt {
  organizationId: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

const stateHash = (state: string) => createHash('sha256').update(state).digest();

/** Remembers a sign-in under way for `ttlMs` (and forgets the expired ones). */
export async function saveSsoAttempt(pool: Pool, state: string, a: SsoAttempt, ttlMs: number): Promise<void> {
  await pool.query('DELETE FROM sso_attempts WHERE expires_at < now()');
  await pool.query(
    `INSERT INTO sso_attempts (state_hash, organization_id, nonce, code_verifier, redirect_uri, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond')`,
    [stateHash(state), a.organizationId, a.nonce, a.codeVerifier, a.redirectUri, ttlMs],
  );
}

/** The sign-in the state names, once: it is removed as it is read; undefined when unknown or expired. */
export async function takeSsoAttempt(pool: Pool, state: string): Promise<SsoAttempt | undefined> {
  const { rows } = await pool.query<{ organization_id: string; nonce: string; code_verifier: string; redirect_uri: string }>(
    `DELETE FROM sso_attempts WHERE state_hash = $1 AND expires_at > now()
     RETURNING organization_id, nonce, code_verifier, redirect_uri`,
    [stateHash(state)],
  );
  const r = rows[0];
  return r && { organizationId: r.organization_id, nonce: r.nonce, codeVerifier: r.code_verifier, redirectUri: r.redirect_uri };
}
