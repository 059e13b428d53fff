// The organization page's data (organizationOverview and organizationBudgets) and its chart.
import type { ChartSpec } from './echarts.ts';
import type { Budget } from './budgets.ts';
import type * as Schema from './graphql/schema.ts';

type Group = Pick<Schema.OrganizationGroup, 'value' | 'totalCost' | 'calls'>;
type Reach = Pick<Schema.BudgetOrganization, 'all' | 'workspaces' | 'home'>;

export interface OrganizationData {
  organizationOverview: {
    organization: Pick<Schema.Organization, 'slug' | 'name'>;
    period: Schema.Period;
    totalCost: string | null;
    calls: string;
    workspaces: Array<Pick<Schema.WorkspaceSpend, 'slug' | 'name' | 'role' | 'totalCost' | 'calls' | 'share'>>;
    trend: Array<Pick<Schema.OrganizationPoint, 'time' | 'partial' | 'totalCost'> & { byWorkspace: Array<Pick<Schema.WorkspaceCost, 'workspace' | 'totalCost'>> }>;
    topAgents: Group[];
    topModels: Group[];
    topPlans: Group[];
    budgetsAtRisk: Array<{ workspace: string | null; budget: Pick<Schema.Budget, 'id' | 'name' | 'state' | 'spend' | 'amount' | 'percentUsed' | 'blocking'> & { organization: Pick<Reach, 'workspaces'> | null } }>;
  };
  organizationBudgets: Array<Budget & { organization: Reach }>;
  organizationReport: Pick<Schema.OrganizationReport, 'forDate' | 'markdown'>;
  meta: { dimensions: Array<Pick<Schema.Member, 'name' | 'title' | 'type'>> };
}

/** Daily spend stacked by workspace (a day without a workspace's events is 0 for it). */
export function trendChart(o: OrganizationData['organizationOverview']): ChartSpec {
  const days = o.trend.map((t) => t.time.slice(0, 10));
  const series = o.workspaces.map((w) => ({
    name: w.name,
    values: o.trend.map((t) => {
      const v = t.byWorkspace.find((b) => b.workspace === w.slug)?.totalCost;
      return v === undefined || v === null ? 0 : Number(v);
    }),
  }));
  return { type: 'bar', categories: days, series, stacked: true, partial: o.trend.map((t) => t.partial) };
}

/** Where an organization budget reaches, in words. */
export function organizationBudgetScope(reach: Reach): string {
  return reach.all ? `all workspaces (${reach.workspaces.length} now)` : reach.workspaces.join(', ');
}
