// The organization page's data (organizationOverview and organizationBudgets) and its chart.
import type { ChartSpec } from './echarts.ts';
import type { OrganizationQuery } from './graphql/operations.ts';

/** The organization page's answer (graphql/operations/organization.graphql). */
export type OrganizationData = OrganizationQuery;
type Reach = OrganizationData['organizationBudgets'][number]['organization'];

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

/** Where an organization budget reaches, in words (the schema's Budget.organization is null for a workspace's own budget). */
export function organizationBudgetScope(reach: Reach): string {
  if (!reach) return '—';
  return reach.all ? `all workspaces (${reach.workspaces.length} now)` : reach.workspaces.join(', ');
}
