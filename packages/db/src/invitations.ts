// Invitations by link: a random token (returned once, stored as sha256) that makes whoever holds
// it, signed in as the invited e-mail, a member with the invitation's role. One use, until it
// expires or is revoked.
import { randomBytes } from 'node:crypto';
import { iso } from './iso.ts';
import { addMembership, type Role } from './memberships.ts';
import type { Pool, PoolClient } from './pool.ts';
import { hashApiKey } from './workspaces.ts';

type Db = Pool | PoolClient;

export interface Invitation {
  id: string;
  workspaceId: string;
  email: string;
  role: Role;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  revokedAt: string | null;
}

interface InvitationRow {
  id: string; workspace_id: string; email: string; role: Role; created_by: string | null;
  created_at: Date; expires_at: Date; accepted_at: Date | null; revoked_at: Date | null;
}
const COLUMNS = 'id, workspace_id, email, role, created_by, created_at, expires_at, accepted_at, revoked_at';
const invitation = (r: InvitationRow): Invitation => ({
  id: r.id, workspaceId: r.workspace_id, email: r.email, role: r.role, createdBy: r.created_by,
  createdAt: iso(r.created_at), expiresAt: iso(r.expires_at),
  acceptedAt: iso(r.accepted_at), revokedAt: iso(r.revoked_at),
});

export async function createInvitation(
  db: Db, i: { workspaceId: string; email: string; role: Role; createdBy: string | null; expiresAt: Date },
): Promise<{ token: string; invitation: Invitation }> {
  const token = `sgi_${randomBytes(32).toString('base64url')}`;
  const { rows } = await db.query<InvitationRow>(
    `INSERT INTO invitations (workspace_id, email, role, token_hash, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [i.workspaceId, i.email.trim(), i.role, hashApiKey(token), i.createdBy, i.expiresAt],
  );
  return { token, invitation: invitation(rows[0]!) };
}

/** The invitation a token opens, while it can still be accepted. */
export async function findOpenInvitation(db: Db, token: string): Promise<Invitation | undefined> {
  const { rows } = await db.query<InvitationRow>(
    `SELECT ${COLUMNS} FROM invitations
      WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()`,
    [hashApiKey(token)],
  );
  return rows[0] && invitation(rows[0]);
}

/**
 * Accepts an open invitation for a person whose e-mail it names (in a transaction: the row is
 * locked, so a token is used once). Undefined when the token opens nothing for that person.
 */
export async function acceptInvitation(client: PoolClient, token: string, user: { id: string; email: string }): Promise<Invitation | undefined> {
  const { rows } = await client.query<InvitationRow>(
    `SELECT ${COLUMNS} FROM invitations
      WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
        AND lower(email) = lower($2) FOR UPDATE`,
    [hashApiKey(token), user.email],
  );
  const open = rows[0];
  if (!open) return undefined;
  await addMembership(client, { userId: user.id, workspaceId: open.workspace_id, role: open.role });
  const { rows: done } = await client.query<InvitationRow>(
    `UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
    [open.id, user.id],
  );
  return invitation(done[0]!);
}

export async function listInvitations(db: Db, workspaceId: string): Promise<Invitation[]> {
  const { rows } = await db.query<InvitationRow>(
    `SELECT ${COLUMNS} FROM invitations WHERE workspace_id = $1 ORDER BY created_at DESC, id LIMIT 1000`,
    [workspaceId],
  );
  return rows.map(invitation);
}

/** Revokes an open invitation of the workspace; undefined when there is none by that id. */
export async function revokeInvitation(db: Db, workspaceId: string, id: string): Promise<Invitation | undefined> {
  const { rows } = await db.query<InvitationRow>(
    `UPDATE invitations SET revoked_at = coalesce(revoked_at, now()) WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [workspaceId, id],
  );
  return rows[0] && invitation(rows[0]);
}
