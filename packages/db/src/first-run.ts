// First run: on an install where nobody owns anything yet, the first organization, workspace and
// owner are made in one transaction. Once any owner exists the door is shut for good (the CLI,
// invitations and the settings pages make everyone after). An advisory lock serialises two
// first runs racing, so only one of them finds the install empty.
import { addMembership } from './memberships.ts';
import { createOrganization, createWorkspaceIn } from './organizations.ts';
import { type Db, type Pool, type PoolClient, withTransaction } from './pool.ts';
import { recordAudit } from './audit-log.ts';
import { type User, createUser } from './users.ts';

/** True while no workspace of the install has an owner. */
export async function firstRunOpen(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ owned: boolean }>(`SELECT EXISTS (SELECT 1 FROM memberships WHERE role = 'owner') AS owned`);
  return !rows[0]!.owned;
}

export interface FirstRunInput {
  organization: string;
  workspace: string;
  email: string;
  name?: string | null;
  password: string;
}

export interface FirstRun {
  user: User;
  organizationId: string;
  workspaceId: string;
  workspaceSlug: string;
}

/** A slug for a name; a taken one gets a random suffix (an install may hold key-only workspaces already). */
export function slugOf(name: string): string {
  const base = name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);
  return base || 'workspace';
}

async function freeSlug(client: PoolClient, table: 'organizations' | 'workspaces', name: string): Promise<string> {
  const base = slugOf(name);
  for (let n = 0; ; n++) {
    const slug = n === 0 ? base : `${base}-${Math.random().toString(36).slice(2, 7)}`;
    const { rowCount } = await client.query(`SELECT 1 FROM ${table} WHERE slug = $1`, [slug]);
    if (!rowCount) return slug;
  }
}

/**
 * Creates the organization, workspace, owner and membership, and records it in the audit log;
 * undefined when an owner exists already (nothing is created).
 */
export async function createFirstOwner(pool: Pool, input: FirstRunInput): Promise<FirstRun | undefined> {
  return withTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('spendgraph_first_run'))`);
    if (!(await firstRunOpen(client))) return undefined;
    const organization = await createOrganization(client, { slug: await freeSlug(client, 'organizations', input.organization), name: input.organization });
    const workspace = await createWorkspaceIn(client, organization.id, { slug: await freeSlug(client, 'workspaces', input.workspace), name: input.workspace });
    const user = await createUser(client, { email: input.email, name: input.name ?? null, password: input.password });
    await addMembership(client, { userId: user.id, workspaceId: workspace.id, role: 'owner' });
    await recordAudit(client, {
      actor: { userId: user.id, label: 'first run' }, organizationId: organization.id, workspaceId: workspace.id,
      action: 'firstRun', targetType: 'workspace', targetId: workspace.id,
      before: null, after: { organization: organization.slug, workspace: workspace.slug, owner: user.email },
    });
    return { user, organizationId: organization.id, workspaceId: workspace.id, workspaceSlug: workspace.slug };
  });
}
