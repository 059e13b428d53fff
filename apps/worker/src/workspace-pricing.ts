// What the pricing of a workspace's events depends on besides the catalog:
// its negotiated rates and whether supplied costs are repriced. Cached briefly
// because every ingest job needs it and it changes rarely.
import { LRUCache } from 'lru-cache';
import { type Pool, getWorkspace, listPriceOverrides } from '@spendgraph/db';
import { type WorkspacePricingPolicy, priceOverrideSchema } from '@spendgraph/pricing';

export type WorkspacePricing = WorkspacePricingPolicy;

/** Read now, not cached: a repricing must see the override added a moment ago. */
export async function loadWorkspacePricing(pool: Pool, workspaceId: string): Promise<WorkspacePricing> {
  const [workspace, overrides] = await Promise.all([getWorkspace(pool, workspaceId), listPriceOverrides(pool, workspaceId)]);
  if (!workspace) throw new Error(`workspace ${workspaceId} does not exist`);
  return { repriceSuppliedCosts: workspace.repriceSuppliedCosts, overrides: overrides.map((o) => priceOverrideSchema.parse(o)) };
}

export function workspacePricingLoader(pool: Pool, ttlMs = 30_000) {
  const cache = new LRUCache<string, WorkspacePricing>({
    max: 10_000,
    ttl: ttlMs,
    fetchMethod: (workspaceId) => loadWorkspacePricing(pool, workspaceId),
  });
  return async (workspaceId: string): Promise<WorkspacePricing> => (await cache.fetch(workspaceId))!;
}
