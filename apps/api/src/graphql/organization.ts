// The organization overview (organization.graphql): which workspaces it reads is decided by
// organizationReach (../authz.ts) alone; the figures by ../query/organization-overview.ts.
import { type ApiKeyScope, budgetStatuses, findOrganization, listBudgets } from '@spendgraph/db';
import { type ReachedWorkspace, organizationReach } from '../authz.ts';
import { type OverviewArgs, DEFAULT_OVERVIEW_RANGE, organizationOverview } from '../query/organization-overview.ts';
import type { BudgetDeps } from './budgets.ts';
import { present } from './budgets.ts';
import type { GraphqlContext } from './resolvers.ts';

type RawDataCheck = (c: { workspaceId: string }, range: OverviewArgs['timeRange'], timezone?: string) => Promise<void>;

export function organizationResolvers(deps: BudgetDeps, requireRawData: RawDataCheck) {
  async function budgetsAtRisk(workspaces: readonly ReachedWorkspace[]) {
    const per = await Promise.all(workspaces.map(async (ws) => {
      const [budgets, statuses] = await Promise.all([listBudgets(deps.pool, ws.id), budgetStatuses(deps.pool, ws.id)]);
      const byId = new Map(statuses.map((s) => [s.budgetId, s]));
      return budgets.map((b) => ({ workspace: ws.slug, budget: present(b, byId.get(b.id)) })).filter((b) => b.budget.atRisk);
    }));
    return per.flat().sort((a, b) => b.budget.percentUsed - a.budget.percentUsed);
  }

  return {
    Query: {
      organizationOverview: async (_: unknown, args: OverviewArgs, c: GraphqlContext) => {
        const reach = await organizationReach(deps.pool, { ...c, scopes: c.scopes as ApiKeyScope[] }, 'usage:read');
        const range = args.timeRange ?? DEFAULT_OVERVIEW_RANGE;
        for (const ws of reach.workspaces) await requireRawData({ workspaceId: ws.id }, range, args.timezone ?? undefined);
        const [organization, figures, atRisk] = await Promise.all([
          findOrganization(deps.pool, reach.organizationId),
          organizationOverview(deps.semantic, reach.workspaces, args),
          budgetsAtRisk(reach.workspaces),
        ]);
        return { organization, ...figures, budgetsAtRisk: atRisk };
      },
    },
  };
}
