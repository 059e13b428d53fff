// The organization overview (organization.graphql): which workspaces it reads is decided by
// organizationReach (../authz.ts) alone; the figures by ../query/organization-overview.ts.
import { type ApiKeyScope, coveringBudgets, findOrganization, organizationBudgets } from '@spendgraph/db';
import { type ReachedWorkspace, organizationReach } from '../authz.ts';
import { type OverviewArgs, DEFAULT_OVERVIEW_RANGE, organizationOverview } from '../query/organization-overview.ts';
import type { BudgetDeps } from './budgets.ts';
import { presentVisible } from './budgets.ts';
import { organizationReport } from '../query/organization-report.ts';
import type { GraphqlContext } from './resolvers.ts';

type RawDataCheck = (c: { workspaceId: string }, range: OverviewArgs['timeRange'], timezone?: string) => Promise<void>;

export function organizationResolvers(deps: BudgetDeps, requireRawData: RawDataCheck) {
  /**
   * Budgets at risk wherever the caller may read: each workspace's own, and the organization
   * budgets covering them that the caller may read every covered workspace of (once each;
   * `workspace` null: budget.organization says where it reaches).
   */
  async function budgetsAtRisk(c: GraphqlContext, workspaces: readonly ReachedWorkspace[]) {
    const all = new Map((await Promise.all(workspaces.map((ws) => coveringBudgets(deps.pool, ws.id)))).flat().map((b) => [b.id, b]));
    const slugs = new Map(workspaces.map((w) => [w.id, w.slug]));
    return (await presentVisible(deps.pool, c, [...all.values()]))
      .filter((b) => b.atRisk)
      .map((b) => ({ workspace: b.organization ? null : slugs.get(b.workspaceId)!, budget: b }))
      .sort((a, b) => b.budget.percentUsed - a.budget.percentUsed);
  }

  const reachOf = (c: GraphqlContext) => organizationReach(deps.pool, { ...c, scopes: c.scopes as ApiKeyScope[] }, 'usage:read');

  return {
    Query: {
      organizationOverview: async (_: unknown, args: OverviewArgs, c: GraphqlContext) => {
        const reach = await reachOf(c);
        const range = args.timeRange ?? DEFAULT_OVERVIEW_RANGE;
        for (const ws of reach.workspaces) await requireRawData({ workspaceId: ws.id }, range, args.timezone ?? undefined);
        const [organization, figures, atRisk] = await Promise.all([
          findOrganization(deps.pool, reach.organizationId),
          organizationOverview(deps.semantic, reach.workspaces, args),
          budgetsAtRisk(c, reach.workspaces),
        ]);
        return { organization, ...figures, budgetsAtRisk: atRisk };
      },
      organizationReport: async (_: unknown, { forDate }: { forDate?: string | null }, c: GraphqlContext) => {
        const reach = await reachOf(c);
        const organization = await findOrganization(deps.pool, reach.organizationId);
        return organizationReport(deps.pool, { name: organization?.name ?? '' }, reach.workspaces, forDate);
      },
      organizationBudgets: async (_: unknown, __: unknown, c: GraphqlContext) => {
        const reach = await reachOf(c);
        return presentVisible(deps.pool, c, await organizationBudgets(deps.pool, reach.organizationId));
      },
    },
  };
}
