// The data of an embedded dashboard: its tiles in order, each its saved view's figures answered
// for the token's workspace by the same functions as /graphql (views/figures.ts). Only shared
// views are ever shown (a tile's view cannot be private); a deleted dashboard shows nothing.
import { type Pool, getDashboard, savedViewsByIds } from '@spendgraph/db';
import type { SemanticLayer } from '@spendgraph/semantic';
import { viewFigures } from '../views/figures.ts';
import { viewStateSchema } from '../views/state.ts';
import type { EmbedDashboard } from './token.ts';

export async function dashboardData(deps: { semantic: SemanticLayer; pool: Pool }, workspaceId: string, embed: EmbedDashboard) {
  const d = await getDashboard(deps.pool, workspaceId, embed.dashboardId);
  if (!d) return undefined;
  const views = new Map((await savedViewsByIds(deps.pool, workspaceId, d.tiles.map((t) => t.viewId))).filter((v) => v.shared).map((v) => [v.id, v]));
  const tiles = await Promise.all(d.tiles.filter((t) => views.has(t.viewId)).map(async (t) => {
    const v = views.get(t.viewId)!;
    const state = viewStateSchema.parse(v.state);
    return { view: { id: v.id, name: v.name, state }, size: t.size, ...(await viewFigures(deps.semantic, { workspaceId }, state)) };
  }));
  return { dashboard: { id: d.id, name: d.name }, tiles };
}
