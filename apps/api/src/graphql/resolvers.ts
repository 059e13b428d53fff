import type { FastifyRequest } from 'fastify';
import type { GraphQLResolveInfo } from 'graphql';
import { type QueryReader, type SemanticLayer, USAGE_VIEW } from '@spendgraph/semantic';
import { type BreakdownArgs, breakdown } from '../query/breakdown.ts';
import { alertRuleResolvers } from './alert-rules.ts';
import { billVarianceResolvers } from './bill-variance.ts';
import { type BudgetDeps, budgetResolvers } from './budgets.ts';
import { breakdownAcross, segmentWorkspaces, timeseriesAcross } from '../query/across-workspaces.ts';
import { organizationReach } from '../authz.ts';
import type { ApiKeyScope } from '@spendgraph/db';

/** A query segmented by workspace across the organization (null or absent: this workspace only). */
interface Segmented { workspaces?: string[] | null }
import { type DeadLetterDeps, deadLetterResolvers } from './dead-letters.ts';
import { currencyResolvers } from './currencies.ts';
import { economicsResolvers } from './economics.ts';
import { embedResolvers } from './embeds.ts';
import { viewResolvers } from './views.ts';
import { type ExportDeps, exportResolvers } from './exports.ts';
import { forecastResolvers } from './forecast.ts';
import { insightResolvers } from './insights.ts';
import { type StatusDeps, statusResolvers } from './status.ts';
import { retentionResolvers } from './retention.ts';
import { type RepricingDeps, repricingResolvers } from './repricing.ts';
import { planResolvers } from './plans.ts';
import { organizationResolvers } from './organization.ts';
import { type EventsArgs, events } from '../query/events.ts';
import { shortName } from '../query/query-args.ts';
import { type TimeseriesArgs, timeseries } from '../query/timeseries.ts';
import { type ReconciliationArgs, reconciliation } from '../query/reconciliation.ts';
import { selects } from './selects.ts';
import { DEFAULT_SAVINGS_RANGE, type WhatIfArgs, whatIf } from '../query/what-if.ts';
import { type RecommendationArgs, savingsRecommendations } from '../query/recommendations.ts';
import { type Pricer, createPricer } from '@spendgraph/pricing';

export interface GraphqlContext {
  workspaceId: string;
  scopes: string[];
  /** The API key of the request (repricings record who asked); null for a person. */
  keyId: string | null;
  /** The person of the request (their web session), and their role in the workspace. */
  userId?: string;
  role?: 'owner' | 'admin' | 'analyst' | 'viewer';
  /** A restricted key's dimension values: its queries are filtered to them (authz.ts lets it reach only such fields). */
  restriction?: Readonly<Record<string, string>>;
  /** Roll-ups the request's queries were answered from (reported in the response's extensions). */
  usedPreAggregations: Set<string>;
  /** The request also carries the operator token (system-wide fields of systemStatus). */
  operator: boolean;
  /** The HTTP request (its Server-Timing and trace, timing.ts). */
  request?: FastifyRequest;
}

/** The semantic layer as one request sees it: its reads are noted in the request's context. */
function forRequest(semantic: SemanticLayer, c: GraphqlContext): SemanticLayer {
  const noted = (reader: QueryReader): QueryReader => ({
    async load(query, ctx, options) {
      const result = await reader.load(query, ctx, options);
      for (const id of result.usedPreAggregations) c.usedPreAggregations.add(id);
      return result;
    },
  });
  return { ...semantic, ...noted(semantic), snapshot: (read) => semantic.snapshot((reader) => read(noted(reader))) };
}

let pricer: Pricer | undefined;
const listPrices = () => (pricer ??= createPricer());

export function resolvers(deps: BudgetDeps & ExportDeps & StatusDeps & RepricingDeps & DeadLetterDeps) {
  const { semantic } = deps;
  const ctx = (c: GraphqlContext) => ({ workspaceId: c.workspaceId, restriction: c.restriction });
  const budgets = budgetResolvers(deps);
  /**
   * The workspaces a query segmented by workspace reads (organizationReach decides; each is
   * checked for raw data as the query itself would be), or undefined when it is not segmented.
   */
  async function segment(c: GraphqlContext, named: readonly string[] | null | undefined, args: { timeRange?: BreakdownArgs['timeRange']; timezone?: string | null }) {
    if (named === null || named === undefined) return undefined;
    const reach = await organizationReach(deps.pool, { ...c, scopes: c.scopes as ApiKeyScope[] }, 'usage:read');
    const chosen = segmentWorkspaces(reach.workspaces, named);
    for (const ws of chosen) await retention.requireRawData({ workspaceId: ws.id }, args.timeRange, args.timezone ?? undefined);
    return chosen;
  }
  const plans = planResolvers(deps);
  const insights = insightResolvers(deps);
  const retention = retentionResolvers(deps);
  const repricing = repricingResolvers(deps);
  const deadLetters = deadLetterResolvers(deps);
  const embeds = embedResolvers(deps);
  const views = viewResolvers(deps);
  const status = statusResolvers(deps);
  const variance = billVarianceResolvers(deps);
  const economics = economicsResolvers(deps);
  const currencies = currencyResolvers(deps);
  const alertRules = alertRuleResolvers(deps);
  return {
    ...budgets,
    ...insights,
    SystemStatus: { ...status.SystemStatus, ...deadLetters.SystemStatus },
    Mutation: { ...budgets.Mutation, ...plans.Mutation, ...exportResolvers(deps).Mutation, ...retention.Mutation, ...repricing.Mutation, ...embeds.Mutation, ...views.Mutation, ...deadLetters.Mutation,
      ...variance.Mutation, ...economics.Mutation, ...insights.Mutation, ...currencies.Mutation, ...alertRules.Mutation },
    Notification: alertRules.Notification,
    MeasureValue: currencies.MeasureValue,
    Query: {
      ...budgets.Query,
      ...plans.Query,
      ...forecastResolvers(deps).Query,
      ...insights.Query,
      ...status.Query,
      ...retention.Query,
      ...repricing.Query,
      ...embeds.Query,
      ...views.Query,
      ...variance.Query,
      ...economics.Query,
      ...currencies.Query,
      ...alertRules.Query,
      ...organizationResolvers(deps, retention.requireRawData).Query,
      meta: () => {
        const view = semantic.meta().views.find((v) => v.name === USAGE_VIEW)!;
        const short = <T extends { name: string }>(m: T) => ({ ...m, name: shortName(m.name) });
        return { measures: view.measures.map(short), dimensions: view.dimensions.map(short) };
      },
      // Raw-event queries: refused (RAW_DATA_EXPIRED) when they reach before the workspace's raw-data horizon.
      breakdown: async (_: unknown, { workspaces, ...args }: BreakdownArgs & Segmented, c: GraphqlContext) => {
        const across = await segment(c, workspaces, args);
        if (across) return breakdownAcross(forRequest(semantic, c), across, c.restriction, args);
        await retention.requireRawData(c, args.timeRange, args.timezone ?? undefined);
        return breakdown(forRequest(semantic, c), ctx(c), args);
      },
      reconciliation: (_: unknown, args: ReconciliationArgs, c: GraphqlContext, info: GraphQLResolveInfo) =>
        reconciliation(forRequest(semantic, c), ctx(c), args, { rows: selects(info, ['rows']), accounts: selects(info, ['rows', 'accounts']), totals: selects(info, ['totals']) }),
      // What-ifs read raw events (refused before the raw-data horizon) and price with list prices (catalog and price file), the ingest's engine.
      whatIf: async (_: unknown, args: WhatIfArgs, c: GraphqlContext) => {
        await retention.requireRawData(c, args.timeRange ?? DEFAULT_SAVINGS_RANGE, args.timezone ?? undefined);
        return whatIf(forRequest(semantic, c), ctx(c), listPrices(), args);
      },
      savingsRecommendations: async (_: unknown, args: RecommendationArgs, c: GraphqlContext) => {
        await retention.requireRawData(c, args.timeRange ?? DEFAULT_SAVINGS_RANGE, args.timezone ?? undefined);
        return savingsRecommendations(forRequest(semantic, c), ctx(c), listPrices(), args);
      },
      timeseries: async (_: unknown, { workspaces, ...args }: TimeseriesArgs & Segmented, c: GraphqlContext) => {
        const across = await segment(c, workspaces, args);
        if (across) return timeseriesAcross(forRequest(semantic, c), across, c.restriction, args);
        await retention.requireRawData(c, args.timeRange, args.timezone ?? undefined);
        return timeseries(forRequest(semantic, c), ctx(c), args);
      },
      events: async (_: unknown, args: EventsArgs, c: GraphqlContext) => {
        // Without a range it lists the newest events that exist: nothing is misreported.
        if (args.timeRange) await retention.requireRawData(c, args.timeRange);
        return events(forRequest(semantic, c), ctx(c), args);
      },
    },
  };
}
