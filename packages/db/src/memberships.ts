// Who is a member of which workspace, with which role. A workspace keeps at least one owner:
// the last one can be neither removed nor given a lesser role.
import type { Pool, PoolClient } from './pool.ts';
import { iso } from './iso.ts';

type Db = Pool | PoolClient;

export const ROLES = ['owner', 'admin', 'analyst', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export class LastOwner extends Error {
  constructor() {
    super('a workspace keeps at least one owner: make someone else owner first');
  }
}

export interface Member {
  userId: string;
  email: string;
  name: string | null;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface UserWorkspace {
  workspaceId: string;
  slug: string;
  name: string;
  organizationId: string;
  role: Role;
}

/** Makes the person a member with `role`, or gives an existing member that role. */
export async function addMembership(db: Db, m: { userId: string; workspaceId: string; role: Role }): Promise<void> {
  await db.query(
    `INSERT INTO memberships (user_id, workspace_id, role) VALUES ($1, $2, $3)
     ON CONFLICT (user_id, workspace_id) DO UPDATE SET role = EXCLUDED.role`,
    [m.userId, m.workspaceId, m.role],
  );
}

export async function getRole(db: Db, userId: string, workspaceId: string): Promise<Role | undefined> {
  const { rows } = await db.query<{ role: Role }>('SELECT role FROM memberships WHERE user_id = $1 AND workspace_id = $2', [userId, workspaceId]);
  return rows[0]?.role;
}

export async function listMembers(db: Db, workspaceId: string): Promise<Member[]> {
  const { rows } = await db.query<{ user_id: string; email: string; name: string | null; role: Role; disabled_at: Date | null; created_at: Date }>(
    `SELECT m.user_id, u.email, u.name, m.role, u.disabled_at, m.created_at
       FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.workspace_id = $1 ORDER BY m.created_at, u.email`,
    [workspaceId],
  );
  return rows.map((r) => ({ userId: r.user_id, email: r.email, name: r.name, role: r.role, disabled: r.disabled_at !== null, createdAt: iso(r.created_at) }));
}

/** The workspaces a person belongs to, oldest membership first. */
export async function workspacesOf(db: Db, userId: string): Promise<UserWorkspace[]> {
  const { rows } = await db.query<{ workspace_id: string; slug: string; name: string; organization_id: string; role: Role }>(
    `SELECT m.workspace_id, w.slug, w.name, w.organization_id, m.role
       FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
      WHERE m.user_id = $1 ORDER BY m.created_at, w.slug`,
    [userId],
  );
  return rows.map((r) => ({ workspaceId: r.workspace_id, slug: r.slug, name: r.name, organizationId: r.organization_id, role: r.role }));
}

/**
 * Changes a member's role; undefined when the person is no member. Run it in a transaction:
 * the owners are locked while the last-owner rule is checked.
 */
export async function changeRole(client: PoolClient, workspaceId: string, userId: string, role: Role): Promise<{ before: Role; after: Role } | undefined> {
  const before = await lockedRole(client, workspaceId, userId);
  if (!before) return undefined;
  if (before === 'owner' && role !== 'owner') await requireAnotherOwner(client, workspaceId, userId);
  await client.query('UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND user_id = $2', [workspaceId, userId, role]);
  return { before, after: role };
}

/** Removes a member (in a transaction, as changeRole); the role they had, or undefined. */
export async function removeMembership(client: PoolClient, workspaceId: string, userId: string): Promise<Role | undefined> {
  const before = await lockedRole(client, workspaceId, userId);
  if (!before) return undefined;
  if (before === 'owner') await requireAnotherOwner(client, workspaceId, userId);
  await client.query('DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2', [workspaceId, userId]);
  // The person's sessions in this workspace end with the membership.
  await client.query('UPDATE web_sessions SET revoked_at = now() WHERE user_id = $1 AND workspace_id = $2 AND revoked_at IS NULL', [userId, workspaceId]);
  return before;
}

async function lockedRole(client: PoolClient, workspaceId: string, userId: string): Promise<Role | undefined> {
  // Every owner row of the workspace is locked, so two demotions cannot both see "another owner".
  await client.query(`SELECT 1 FROM memberships WHERE workspace_id = $1 AND role = 'owner' FOR UPDATE`, [workspaceId]);
  const { rows } = await client.query<{ role: Role }>(
    'SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2 FOR UPDATE',
    [workspaceId, userId],
  );
  return rows[0]?.role;
}

async function requireAnotherOwner(client: PoolClient, workspaceId: string, userId: string) {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM memberships WHERE workspace_id = $1 AND role = 'owner' AND user_id <> $2`,
    [workspaceId, userId],
  );
  if (rows[0]!.n === 0) throw new LastOwner();
}

/** Makes the person a member with `role` unless they already are one (their role stays); true when added. */
export async function joinWorkspace(db: Db, m: { userId: string; workspaceId: string; role: Role }): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO memberships (user_id, workspace_id, role) VALUES ($1, $2, $3) ON CONFLICT (user_id, workspace_id) DO NOTHING',
    [m.userId, m.workspaceId, m.role],
  );
  return (rowCount ?? 0) > 0;
}
