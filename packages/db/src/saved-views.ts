// Saved explorer views and dashboards of saved views (db/migrations/*_saved_views_dashboards.sql).
// Every read and write names the workspace: a view or dashboard of another workspace is never found.
// Who may see a private view is decided here too (`viewer`): its maker alone.
import { iso } from './iso.ts';
import type { Db } from './pool.ts';

/** Who asks: a person (userId) or, without one, the key. */
export interface ViewOwner { userId: string | null; keyId: string | null }

export interface SavedView {
  id: string; workspaceId: string; name: string; state: unknown; shared: boolean;
  createdBy: string | null; apiKeyId: string | null; createdAt: string; updatedAt: string;
}

export interface DashboardTile { viewId: string; size: string }
export interface Dashboard {
  id: string; workspaceId: string; name: string; tiles: DashboardTile[]; pinned: boolean;
  createdBy: string | null; apiKeyId: string | null; createdAt: string; updatedAt: string;
}

interface ViewRow {
  id: string; workspace_id: string; name: string; state: unknown; shared: boolean; created_by: string | null; api_key_id: string | null;
  created_at: Date; updated_at: Date;
}
interface DashboardRow extends Omit<ViewRow, 'state' | 'shared'> { tiles: DashboardTile[]; pinned: boolean }

const VIEW_COLUMNS = 'id, workspace_id, name, state, shared, created_by, api_key_id, created_at, updated_at';
const DASHBOARD_COLUMNS = 'id, workspace_id, name, tiles, pinned, created_by, api_key_id, created_at, updated_at';
const view = (r: ViewRow): SavedView => ({
  id: r.id, workspaceId: r.workspace_id, name: r.name, state: r.state, shared: r.shared, createdBy: r.created_by, apiKeyId: r.api_key_id,
  createdAt: iso(r.created_at)!, updatedAt: iso(r.updated_at)!,
});
const dashboard = (r: DashboardRow): Dashboard => ({
  id: r.id, workspaceId: r.workspace_id, name: r.name, tiles: r.tiles, pinned: r.pinned, createdBy: r.created_by, apiKeyId: r.api_key_id,
  createdAt: iso(r.created_at)!, updatedAt: iso(r.updated_at)!,
});

/** Whether `owner` made the view (a person by their id; a key, without a person, by its id). */
export const madeBy = (v: Pick<SavedView, 'createdBy' | 'apiKeyId'>, owner: ViewOwner) =>
  owner.userId ? v.createdBy === owner.userId : owner.keyId !== null && v.apiKeyId === owner.keyId;

/** `$2`/`$3`: the asker's user id and key id; a view is visible when shared or theirs. */
const VISIBLE = `(shared OR (CASE WHEN $2::uuid IS NOT NULL THEN created_by = $2::uuid ELSE api_key_id = $3::uuid END))`;

/** The views `owner` may see in the workspace (shared ones and their own), by name. */
export async function listSavedViews(db: Db, workspaceId: string, owner: ViewOwner): Promise<SavedView[]> {
  const { rows } = await db.query<ViewRow>(
    `SELECT ${VIEW_COLUMNS} FROM saved_views WHERE workspace_id = $1 AND ${VISIBLE} ORDER BY lower(name), id LIMIT 1000`,
    [workspaceId, owner.userId, owner.keyId],
  );
  return rows.map(view);
}

/** One view `owner` may see, or undefined (another workspace's, someone else's private one, none). */
export async function getSavedView(db: Db, workspaceId: string, id: string, owner: ViewOwner): Promise<SavedView | undefined> {
  const { rows } = await db.query<ViewRow>(
    `SELECT ${VIEW_COLUMNS} FROM saved_views WHERE workspace_id = $1 AND ${VISIBLE} AND id = $4`,
    [workspaceId, owner.userId, owner.keyId, id],
  );
  return rows[0] && view(rows[0]);
}

/** Views by id in the workspace, whoever made them (a dashboard's tiles: only shared ones are ever placed). */
export async function savedViewsByIds(db: Db, workspaceId: string, ids: readonly string[]): Promise<SavedView[]> {
  if (!ids.length) return [];
  const { rows } = await db.query<ViewRow>(`SELECT ${VIEW_COLUMNS} FROM saved_views WHERE workspace_id = $1 AND id = ANY($2::uuid[])`, [workspaceId, ids]);
  return rows.map(view);
}

export async function createSavedView(db: Db, v: { workspaceId: string; name: string; state: unknown; shared: boolean; owner: ViewOwner }): Promise<SavedView> {
  const { rows } = await db.query<ViewRow>(
    `INSERT INTO saved_views (workspace_id, name, state, shared, created_by, api_key_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${VIEW_COLUMNS}`,
    [v.workspaceId, v.name, JSON.stringify(v.state), v.shared, v.owner.userId, v.owner.userId ? null : v.owner.keyId],
  );
  return view(rows[0]!);
}

export async function updateSavedView(db: Db, workspaceId: string, id: string, change: { name?: string; state?: unknown; shared?: boolean }): Promise<SavedView | undefined> {
  const { rows } = await db.query<ViewRow>(
    `UPDATE saved_views SET name = coalesce($3, name), state = coalesce($4::jsonb, state), shared = coalesce($5, shared), updated_at = now()
      WHERE workspace_id = $1 AND id = $2 RETURNING ${VIEW_COLUMNS}`,
    [workspaceId, id, change.name ?? null, change.state === undefined ? null : JSON.stringify(change.state), change.shared ?? null],
  );
  return rows[0] && view(rows[0]);
}

/** Deletes a view and takes it off every dashboard of the workspace (one transaction: the caller's). */
export async function deleteSavedView(db: Db, workspaceId: string, id: string): Promise<boolean> {
  await db.query(
    `UPDATE dashboards SET tiles = coalesce((SELECT jsonb_agg(t ORDER BY n) FROM jsonb_array_elements(tiles) WITH ORDINALITY AS e(t, n) WHERE t->>'viewId' <> $2), '[]'), updated_at = now()
      WHERE workspace_id = $1 AND tiles @> jsonb_build_array(jsonb_build_object('viewId', $2::text))`,
    [workspaceId, id],
  );
  const { rowCount } = await db.query('DELETE FROM saved_views WHERE workspace_id = $1 AND id = $2', [workspaceId, id]);
  return rowCount === 1;
}

/** The dashboards holding a view (a view on one cannot be made private). */
export async function dashboardsWithView(db: Db, workspaceId: string, viewId: string): Promise<Dashboard[]> {
  const { rows } = await db.query<DashboardRow>(
    `SELECT ${DASHBOARD_COLUMNS} FROM dashboards WHERE workspace_id = $1 AND tiles @> jsonb_build_array(jsonb_build_object('viewId', $2::text)) ORDER BY lower(name)`,
    [workspaceId, viewId],
  );
  return rows.map(dashboard);
}

export async function listDashboards(db: Db, workspaceId: string): Promise<Dashboard[]> {
  const { rows } = await db.query<DashboardRow>(`SELECT ${DASHBOARD_COLUMNS} FROM dashboards WHERE workspace_id = $1 ORDER BY pinned DESC, lower(name), id LIMIT 1000`, [workspaceId]);
  return rows.map(dashboard);
}

export async function getDashboard(db: Db, workspaceId: string, id: string): Promise<Dashboard | undefined> {
  const { rows } = await db.query<DashboardRow>(`SELECT ${DASHBOARD_COLUMNS} FROM dashboards WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return rows[0] && dashboard(rows[0]);
}

export async function pinnedDashboard(db: Db, workspaceId: string): Promise<Dashboard | undefined> {
  const { rows } = await db.query<DashboardRow>(`SELECT ${DASHBOARD_COLUMNS} FROM dashboards WHERE workspace_id = $1 AND pinned`, [workspaceId]);
  return rows[0] && dashboard(rows[0]);
}

export async function createDashboard(db: Db, d: { workspaceId: string; name: string; tiles: DashboardTile[]; owner: ViewOwner }): Promise<Dashboard> {
  const { rows } = await db.query<DashboardRow>(
    `INSERT INTO dashboards (workspace_id, name, tiles, created_by, api_key_id) VALUES ($1, $2, $3, $4, $5) RETURNING ${DASHBOARD_COLUMNS}`,
    [d.workspaceId, d.name, JSON.stringify(d.tiles), d.owner.userId, d.owner.userId ? null : d.owner.keyId],
  );
  return dashboard(rows[0]!);
}

export async function updateDashboard(db: Db, workspaceId: string, id: string, change: { name?: string; tiles?: DashboardTile[] }): Promise<Dashboard | undefined> {
  const { rows } = await db.query<DashboardRow>(
    `UPDATE dashboards SET name = coalesce($3, name), tiles = coalesce($4::jsonb, tiles), updated_at = now()
      WHERE workspace_id = $1 AND id = $2 RETURNING ${DASHBOARD_COLUMNS}`,
    [workspaceId, id, change.name ?? null, change.tiles ? JSON.stringify(change.tiles) : null],
  );
  return rows[0] && dashboard(rows[0]);
}

/** Pins a dashboard as the workspace's overview (unpinning any other) or unpins it. */
export async function pinDashboard(db: Db, workspaceId: string, id: string, pinned: boolean): Promise<Dashboard | undefined> {
  if (pinned) await db.query('UPDATE dashboards SET pinned = false WHERE workspace_id = $1 AND pinned AND id <> $2', [workspaceId, id]);
  const { rows } = await db.query<DashboardRow>(
    `UPDATE dashboards SET pinned = $3 WHERE workspace_id = $1 AND id = $2 RETURNING ${DASHBOARD_COLUMNS}`, [workspaceId, id, pinned],
  );
  return rows[0] && dashboard(rows[0]);
}

export async function deleteDashboard(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM dashboards WHERE workspace_id = $1 AND id = $2', [workspaceId, id]);
  return rowCount === 1;
}
