// Organizations hold workspaces. A workspace inserted without one gets an organization of its
// own (a trigger, db/migrations/1765001000000_people_roles_keys.sql); these create them on purpose.
import type { Pool, PoolClient } from './pool.ts';
import { iso } from './iso.ts';

type Db = Pool | PoolClient;

export interface Organization {
  id: string;
  slug: string;
  name: string;
  createdAt: string;
}

interface OrgRow { id: string; slug: string; name: string; created_at: Date }
const organization = (r: OrgRow): Organization => ({ id: r.id, slug: r.slug, name: r.name, createdAt: iso(r.created_at) });

export async function createOrganization(db: Db, o: { slug: string; name?: string }): Promise<Organization> {
  const { rows } = await db.query<OrgRow>(
    'INSERT INTO organizations (slug, name) VALUES ($1, $2) RETURNING id, slug, name, created_at',
    [o.slug, o.name ?? o.slug],
  );
  return organization(rows[0]!);
}

export async function findOrganization(db: Db, idOrSlug: string): Promise<Organization | undefined> {
  const { rows } = await db.query<OrgRow>(
    'SELECT id, slug, name, created_at FROM organizations WHERE id::text = $1 OR slug = $1',
    [idOrSlug],
  );
  return rows[0] && organization(rows[0]);
}

export interface OrganizationWorkspace {
  id: string;
  slug: string;
  name: string;
  organizationId: string;
}

/** A new workspace in an organization; a slug already taken is a unique violation. */
export async function createWorkspaceIn(db: Db, organizationId: string, w: { slug: string; name?: string }): Promise<OrganizationWorkspace> {
  const { rows } = await db.query<{ id: string; slug: string; name: string; organization_id: string }>(
    'INSERT INTO workspaces (organization_id, slug, name) VALUES ($1, $2, $3) RETURNING id, slug, name, organization_id',
    [organizationId, w.slug, w.name ?? w.slug],
  );
  const r = rows[0]!;
  return { id: r.id, slug: r.slug, name: r.name, organizationId: r.organization_id };
}

/** A workspace by id or slug, with its organization. */
export async function findWorkspace(db: Db, idOrSlug: string): Promise<OrganizationWorkspace | undefined> {
  const { rows } = await db.query<{ id: string; slug: string; name: string; organization_id: string }>(
    'SELECT id, slug, name, organization_id FROM workspaces WHERE id::text = $1 OR slug = $1',
    [idOrSlug],
  );
  const r = rows[0];
  return r && { id: r.id, slug: r.slug, name: r.name, organizationId: r.organization_id };
}

/** The workspaces of an organization, by slug. */
export async function workspacesIn(db: Db, organizationId: string): Promise<OrganizationWorkspace[]> {
  const { rows } = await db.query<{ id: string; slug: string; name: string; organization_id: string }>(
    'SELECT id, slug, name, organization_id FROM workspaces WHERE organization_id = $1 ORDER BY slug',
    [organizationId],
  );
  return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, organizationId: r.organization_id }));
}
