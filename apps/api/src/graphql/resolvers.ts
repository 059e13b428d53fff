import type { SemanticLayer } from '@spendgraph/semantic';
import { type BreakdownArgs, breakdown } from './breakdown.ts';
import { type BudgetDeps, budgetResolvers } from './budgets.ts';
import { embedResolvers } from './embeds.ts';
import { forecastResolvers } from './forecast.ts';
import { insightResolvers } from './insights.ts';
import { planResolvers } from './plans.ts';
import { type EventsArgs, events } from './events.ts';
import { VIEW, shortName } from './query-args.ts';
import { type TimeseriesArgs, timeseries } from './timeseries.ts';

export interface GraphqlContext {
  workspaceId: string;
  scopes: string[];
  /** Roll-ups the request's queries were answered from (reported in the response's extensions). */
  usedPreAggregations: Set<string>;
}

/** The semantic layer as one request sees it: its reads are noted in the request's context. */
function forRequest(semantic: SemanticLayer, c: GraphqlContext): SemanticLayer {
  return {
    ...semantic,
    async load(query, ctx) {
      const result = await semantic.load(query, ctx);
      for (const id of result.usedPreAggregations) c.usedPreAggregations.add(id);
      return result;
    },
  };
}

export function resolvers(deps: BudgetDeps & { embedSecret?: string | undefined }) {
  const { semantic } = deps;
  const ctx = (c: GraphqlContext) => ({ workspaceId: c.workspaceId });
  const budgets = budgetResolvers(deps);
  const plans = planResolvers(deps);
  const insights = insightResolvers(deps);
  return {
    ...budgets,
    ...insights,
    Mutation: { ...budgets.Mutation, ...plans.Mutation, ...embedResolvers(deps).Mutation },
    Query: {
      ...budgets.Query,
      ...plans.Query,
      ...forecastResolvers(deps).Query,
      ...insights.Query,
      meta: () => {
        const view = semantic.meta().views.find((v) => v.name === VIEW)!;
        const short = <T extends { name: string }>(m: T) => ({ ...m, name: shortName(m.name) });
        return { measures: view.measures.map(short), dimensions: view.dimensions.map(short) };
      },
      breakdown: (_: unknown, args: BreakdownArgs, c: GraphqlContext) => breakdown(forRequest(semantic, c), ctx(c), args),
      timeseries: (_: unknown, args: TimeseriesArgs, c: GraphqlContext) => timeseries(forRequest(semantic, c), ctx(c), args),
      events: (_: unknown, args: EventsArgs, c: GraphqlContext) => events(forRequest(semantic, c), ctx(c), args),
    },
  };
}
