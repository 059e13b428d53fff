// Saved views and dashboards: saved, renamed, shared, deleted; dashboards of shared views, pinned
// as the overview, embedded. Permissions and the audit entry are FIELD_RULES' (authz.ts).
import { GraphQLError } from 'graphql';
import {
  type ApiKeyScope, type Dashboard, type DashboardTile, type Pool, type PoolClient, type Role, type SavedView, type ViewOwner,
  createDashboard, createEmbedToken, createSavedView, dashboardsWithView, deleteDashboard, deleteSavedView, getDashboard, getSavedView,
  listDashboards, listSavedViews, madeBy, pinDashboard, pinnedDashboard, savedViewsByIds, updateDashboard, updateSavedView,
} from '@spendgraph/db';
import type { SemanticLayer } from '@spendgraph/semantic';
import { z } from 'zod';
import { changeDb } from '../audit.ts';
import { isAdministrator } from '../authz.ts';
import { argumentError } from '../query/errors.ts';
import { parseOrRefuse, validViewState } from '../views/state.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_HOURS = 90 * 24;
const MAX_TILES = 24;
const name = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters').refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');
const tilesSchema = z.array(z.object({ viewId: z.string().regex(UUID, 'is not a view id'), size: z.enum(['small', 'medium', 'large']).nullish() })).max(MAX_TILES);

interface Caller { workspaceId: string; keyId: string | null; userId?: string; role?: Role; scopes: string[]; db?: PoolClient }
const ownerOf = (c: Caller): ViewOwner => ({ userId: c.userId ?? null, keyId: c.keyId });
const forbidden = (message: string) => new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });

function checkId(id: string, what: string, field = 'id') {
  if (!UUID.test(id)) throw argumentError('INVALID_ARGUMENT', field, `'${id}' is not ${what} id`);
}

/** A view as GraphQL answers it: `mine` for the caller. */
const viewOut = (v: SavedView, c: Caller) => ({ ...v, mine: madeBy(v, ownerOf(c)) });

/** Its maker may change a view; an admin may change a shared one too (never another's private view: it is not found). */
function mayChange(v: SavedView, c: Caller) {
  if (madeBy(v, ownerOf(c))) return;
  if (v.shared && isAdministrator({ ...c, scopes: c.scopes as ApiKeyScope[] })) return;
  throw forbidden('only whoever saved this view, or an admin, can change or delete it');
}

export function viewResolvers(deps: { semantic: SemanticLayer; pool: Pool }) {
  /** The dashboard with its tiles' views (shared ones: a tile's view cannot be private). */
  async function dashboardOut(db: Pool | PoolClient, d: Dashboard, c: Caller) {
    const views = new Map((await savedViewsByIds(db, d.workspaceId, d.tiles.map((t) => t.viewId))).filter((v) => v.shared).map((v) => [v.id, v]));
    return { ...d, tiles: d.tiles.flatMap((t) => (views.has(t.viewId) ? [{ view: viewOut(views.get(t.viewId)!, c), size: t.size }] : [])) };
  }

  /** Tiles checked: views of this workspace the caller sees, shared (a dashboard is the workspace's). */
  async function validTiles(db: Pool | PoolClient, c: Caller, value: unknown): Promise<DashboardTile[]> {
    const tiles = parseOrRefuse(tilesSchema, value ?? [], 'input.tiles');
    const found = new Map((await savedViewsByIds(db, c.workspaceId, tiles.map((t) => t.viewId))).map((v) => [v.id, v]));
    return tiles.map((t, i) => {
      const v = found.get(t.viewId);
      if (!v || (!v.shared && !madeBy(v, ownerOf(c)))) throw argumentError('NOT_FOUND', `input.tiles[${i}].viewId`, `no saved view '${t.viewId}' here`);
      if (!v.shared) throw argumentError('INVALID_ARGUMENT', `input.tiles[${i}].viewId`, `'${v.name}' is private: share it with the workspace before putting it on a dashboard`);
      return { viewId: t.viewId, size: t.size ?? 'medium' };
    });
  }

  async function findDashboard(db: Pool | PoolClient, c: Caller, id: string, field = 'id') {
    checkId(id, 'a dashboard', field);
    return getDashboard(db, c.workspaceId, id);
  }

  return {
    Query: {
      savedViews: async (_: unknown, _a: unknown, c: Caller) => (await listSavedViews(deps.pool, c.workspaceId, ownerOf(c))).map((v) => viewOut(v, c)),
      async savedView(_: unknown, { id }: { id: string }, c: Caller) {
        checkId(id, 'a view');
        const v = await getSavedView(deps.pool, c.workspaceId, id, ownerOf(c));
        return v ? viewOut(v, c) : null;
      },
      dashboards: async (_: unknown, _a: unknown, c: Caller) =>
        Promise.all((await listDashboards(deps.pool, c.workspaceId)).map((d) => dashboardOut(deps.pool, d, c))),
      async dashboard(_: unknown, { id }: { id: string }, c: Caller) {
        const d = await findDashboard(deps.pool, c, id);
        return d ? dashboardOut(deps.pool, d, c) : null;
      },
      async pinnedDashboard(_: unknown, _a: unknown, c: Caller) {
        const d = await pinnedDashboard(deps.pool, c.workspaceId);
        return d ? dashboardOut(deps.pool, d, c) : null;
      },
    },
    Mutation: {
      async saveView(_: unknown, { input }: { input: { name: string; shared?: boolean | null; state: unknown } }, c: Caller) {
        const viewName = parseOrRefuse(name, input.name, 'input.name');
        const state = validViewState(deps.semantic, input.state);
        const v = await createSavedView(changeDb(deps.pool, c), { workspaceId: c.workspaceId, name: viewName, state, shared: input.shared ?? false, owner: ownerOf(c) });
        return viewOut(v, c);
      },
      async updateView(_: unknown, { id, input }: { id: string; input: { name?: string | null; shared?: boolean | null; state?: unknown } }, c: Caller) {
        checkId(id, 'a view');
        const db = changeDb(deps.pool, c);
        const v = await getSavedView(db, c.workspaceId, id, ownerOf(c));
        if (!v) return null;
        mayChange(v, c);
        const change = {
          ...(input.name != null ? { name: parseOrRefuse(name, input.name, 'input.name') } : {}),
          ...(input.state != null ? { state: validViewState(deps.semantic, input.state) } : {}),
          ...(input.shared != null ? { shared: input.shared } : {}),
        };
        if (change.shared === false && v.shared) {
          const on = await dashboardsWithView(db, c.workspaceId, id);
          if (on.length) throw argumentError('INVALID_ARGUMENT', 'input.shared', `the view is on the dashboard${on.length > 1 ? 's' : ''} ${on.map((d) => `'${d.name}'`).join(', ')}: take it off before making it private`);
        }
        const updated = await updateSavedView(db, c.workspaceId, id, change);
        return updated ? viewOut(updated, c) : null;
      },
      async deleteView(_: unknown, { id }: { id: string }, c: Caller) {
        checkId(id, 'a view');
        const db = changeDb(deps.pool, c);
        const v = await getSavedView(db, c.workspaceId, id, ownerOf(c));
        if (!v) return false;
        mayChange(v, c);
        return deleteSavedView(db, c.workspaceId, id);
      },
      async createDashboard(_: unknown, { input }: { input: { name: string; tiles?: unknown } }, c: Caller) {
        const db = changeDb(deps.pool, c);
        const dashboardName = parseOrRefuse(name, input.name, 'input.name');
        const tiles = await validTiles(db, c, input.tiles);
        return dashboardOut(db, await createDashboard(db, { workspaceId: c.workspaceId, name: dashboardName, tiles, owner: ownerOf(c) }), c);
      },
      async updateDashboard(_: unknown, { id, input }: { id: string; input: { name?: string | null; tiles?: unknown } }, c: Caller) {
        const db = changeDb(deps.pool, c);
        if (!(await findDashboard(db, c, id))) return null;
        const change = {
          ...(input.name != null ? { name: parseOrRefuse(name, input.name, 'input.name') } : {}),
          ...(input.tiles != null ? { tiles: await validTiles(db, c, input.tiles) } : {}),
        };
        const d = await updateDashboard(db, c.workspaceId, id, change);
        return d ? dashboardOut(db, d, c) : null;
      },
      async deleteDashboard(_: unknown, { id }: { id: string }, c: Caller) {
        checkId(id, 'a dashboard');
        return deleteDashboard(changeDb(deps.pool, c), c.workspaceId, id);
      },
      async pinDashboard(_: unknown, { id, pinned }: { id: string; pinned?: boolean | null }, c: Caller) {
        checkId(id, 'a dashboard');
        const db = changeDb(deps.pool, c);
        const d = await pinDashboard(db, c.workspaceId, id, pinned ?? true);
        return d ? dashboardOut(db, d, c) : null;
      },
      async createDashboardEmbedToken(_: unknown, args: { dashboardId: string; theme?: 'light' | 'dark' | null; expiresInHours?: number | null }, c: Caller) {
        const hours = args.expiresInHours ?? 168;
        if (!Number.isInteger(hours) || hours < 1 || hours > MAX_HOURS) throw argumentError('INVALID_ARGUMENT', 'expiresInHours', `must be between 1 and ${MAX_HOURS}`);
        const db = changeDb(deps.pool, c);
        const d = await findDashboard(db, c, args.dashboardId, 'dashboardId');
        if (!d) throw argumentError('NOT_FOUND', 'dashboardId', `no dashboard '${args.dashboardId}' here`);
        const { token, embed } = await createEmbedToken(db, {
          workspaceId: c.workspaceId, apiKeyId: c.keyId, createdBy: c.userId ?? null,
          chart: { kind: 'dashboard', dashboardId: d.id, title: d.name, theme: args.theme ?? 'light' }, expiresAt: new Date(Date.now() + hours * 3_600_000),
        });
        return { id: embed.id, token, expiresAt: embed.expiresAt, path: `/embed/${token}` };
      },
    },
  };
}
