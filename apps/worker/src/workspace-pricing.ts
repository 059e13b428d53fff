// What the pricing of a workspace's events depends on besides the catalog:
// its negotiated rates and whether supplied costs are repriced. Cached briefly
// because every ingest job needs it and it changes rarely.
import { LRUCache } from 'lru-cache';
import { type Pool, getWorkspace, listPriceOverrides } from '@spendgraph/db';
import { type ParsedPriceOverride, priceOverrideSchema } from '@spendgraph/pricing';

export interface WorkspacePricing {
  repriceSuppliedCosts: boolean;
  overrides: ParsedPriceOverride[];
}

export function workspacePricingLoader(pool: Pool, ttlMs = 30_000) {
  const cache = new LRUCache<string, WorkspacePricing>({
    max: 10_000,
    ttl: ttlMs,
    fetchMethod: async (workspaceId) => {
      const [workspace, overrides] = await Promise.all([getWorkspace(pool, workspaceId), listPriceOverrides(pool, workspaceId)]);
      if (!workspace) throw new Error(`workspace ${workspaceId} does not exist`);
      return { repriceSuppliedCosts: workspace.reprice_supplied_costs, overrides: overrides.map((o) => priceOverrideSchema.parse(o)) };
    },
  });
  return async (workspaceId: string): Promise<WorkspacePricing> => (await cache.fetch(workspaceId))!;
}
