// The data of an embedded chart: the breakdown or timeseries query its token names,
// answered for the token's workspace by the same resolvers as /graphql.
import type { SemanticLayer } from '@spendgraph/semantic';
import { breakdown } from '../query/breakdown.ts';
import { timeseries } from '../query/timeseries.ts';
import type { EmbedChart } from './token.ts';

export async function chartData(semantic: SemanticLayer, workspaceId: string, chart: EmbedChart) {
  const common = { measures: chart.measures, filters: chart.filters, timeRange: chart.timeRange, timezone: chart.timezone };
  if (chart.kind === 'timeseries') {
    return { timeseries: await timeseries(semantic, { workspaceId }, { ...common, by: chart.by, granularity: chart.granularity ?? 'day' }) };
  }
  return { breakdown: await breakdown(semantic, { workspaceId }, { ...common, by: chart.by, limit: chart.limit }) };
}
