// A saved view's figures: the breakdown or timeseries query its state names, answered by the same
// functions as /graphql's breakdown and timeseries (one truth). The web app asks /graphql the same
// query for a dashboard's tiles (apps/web/lib/views.ts); an embedded dashboard gets these.
import type { SemanticContext, SemanticLayer } from '@spendgraph/semantic';
import { breakdown } from '../query/breakdown.ts';
import { timeseries } from '../query/timeseries.ts';
import { type ViewState, stateFilters } from './state.ts';

export async function viewFigures(semantic: SemanticLayer, ctx: SemanticContext, state: ViewState) {
  const common = { measures: state.measures, filters: stateFilters(state), timeRange: state.timeRange };
  if (state.chart === 'timeseries') {
    return { timeseries: await timeseries(semantic, ctx, { ...common, by: state.by.slice(0, 1), granularity: state.granularity }) };
  }
  return { breakdown: await breakdown(semantic, ctx, { ...common, by: state.by, limit: state.limit }) };
}
