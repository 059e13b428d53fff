// Saved views and dashboards as the web app reads them (the API's savedViews/dashboards), and a
// tile's figures: the same breakdown or timeseries query the API answers an embedded dashboard
// with (apps/api/src/views/figures.ts), asked of /graphql — one truth.
import { gql } from './api';
import { type Node, type Timeseries, asTree } from './breakdown';
import { type DashboardFieldsFragment, type SavedViewFieldsFragment, TileBreakdownDocument, TileTimeseriesDocument, type ViewChart } from './graphql/operations';
import { type ExploreState, type TimeRange, apiFilters, exploreQuery } from './query-state';

export type { TileSize, ViewChart } from './graphql/operations';
/** A view as the API stores it (SavedViewFields, graphql/operations/views.graphql). */
export type SavedView = SavedViewFieldsFragment;
export type ViewState = SavedView['state'];
export type Dashboard = DashboardFieldsFragment;
export type Figures = { breakdown: Node; timeseries?: undefined } | { timeseries: Timeseries; breakdown?: undefined };

/** A stored range as the explorer's (no nulls). */
export function viewRange(r: ViewState['timeRange']): TimeRange {
  return r.from ? { from: r.from, ...(r.to ? { to: r.to } : {}) } : { relative: r.relative ?? 'last 30 days' };
}

/** The explorer's URL of a view. */
export function viewHref(state: ViewState): string {
  const explore: ExploreState = {
    measures: state.measures, by: state.by, range: viewRange(state.timeRange), granularity: state.granularity, filters: state.filters,
    limit: state.limit, sort: null, compare: false,
  };
  return `/explore?${exploreQuery(explore)}`;
}

/** What the explorer saves: its state and the chart kind chosen. */
export function stateOfExplore(s: ExploreState, chart: ViewChart) {
  return { measures: s.measures, by: s.by, filters: apiFilters(s.filters), timeRange: s.range, granularity: s.granularity, chart, limit: s.limit };
}

/** A tile's figures: a timeseries over its first segment, or the breakdown tree. */
export async function tileFigures(state: ViewState) {
  const common = { m: state.measures, f: apiFilters(state.filters), r: viewRange(state.timeRange) };
  if (state.chart === 'timeseries') {
    const res = await gql(TileTimeseriesDocument, { ...common, g: state.granularity, by: state.by.slice(0, 1) });
    return res.ok ? { ok: true as const, figures: { timeseries: res.data.timeseries } as Figures } : res;
  }
  const res = await gql(TileBreakdownDocument, { ...common, by: state.by, limit: state.limit });
  return res.ok ? { ok: true as const, figures: { breakdown: asTree(res.data.breakdown) } as Figures } : res;
}
