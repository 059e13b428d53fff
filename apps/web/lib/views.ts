// Saved views and dashboards as the web app reads them (the API's savedViews/dashboards), and a
// tile's figures: the same breakdown or timeseries query the API answers an embedded dashboard
// with (apps/api/src/views/figures.ts), asked of /graphql — one truth.
import { gql } from './api';
import { type Node, SERIES, type Timeseries, nodeSelection } from './breakdown';
import { type ExploreState, type Filter, type TimeRange, apiFilters, exploreQuery } from './query-state';

export type ViewChart = 'timeseries' | 'bar' | 'table';
export type TileSize = 'small' | 'medium' | 'large';
export interface ViewState {
  measures: string[]; by: string[]; filters: Filter[]; timeRange: { relative?: string | null; from?: string | null; to?: string | null };
  granularity: string; chart: ViewChart; limit: number;
}
export interface SavedView { id: string; name: string; shared: boolean; mine: boolean; state: ViewState; updatedAt: string }
export interface Dashboard { id: string; name: string; pinned: boolean; tiles: Array<{ size: TileSize; view: SavedView }> }
export type Figures = { breakdown: Node; timeseries?: undefined } | { timeseries: Timeseries; breakdown?: undefined };

export const VIEW_FIELDS = 'id name shared mine updatedAt state { measures by filters { member operator values } timeRange { relative from to } granularity chart limit }';
export const DASHBOARD_FIELDS = `id name pinned tiles { size view { ${VIEW_FIELDS} } }`;

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
    const res = await gql<{ timeseries: Timeseries }>(
      `query($m: [String!]!, $g: Granularity!, $by: [String!], $f: [Filter!], $r: TimeRange) { timeseries(measures: $m, granularity: $g, by: $by, filters: $f, timeRange: $r) { ${SERIES} } }`,
      { ...common, g: state.granularity, by: state.by.slice(0, 1) },
    );
    return res.ok ? { ok: true as const, figures: { timeseries: res.data.timeseries } as Figures } : res;
  }
  const res = await gql<{ breakdown: Node }>(
    `query($m: [String!]!, $by: [String!]!, $f: [Filter!], $r: TimeRange, $limit: Int) { breakdown(measures: $m, by: $by, filters: $f, timeRange: $r, limit: $limit) { ${nodeSelection(state.by.length)} } }`,
    { ...common, by: state.by, limit: state.limit },
  );
  return res.ok ? { ok: true as const, figures: { breakdown: res.data.breakdown } as Figures } : res;
}
