// Spend forecasting: task type profiles, plan forecasts against their budgets and the
// spend projection to period end. Computed by @spendgraph/forecast; here arguments are
// checked (errors name the argument) and the answers shaped for forecast.graphql.
import { type CostProfile, type PlanForecast, type ProjectionPeriod, planForecasts, spendProjection, taskTypeProfiles } from '@spendgraph/forecast';
import type { Pool } from '@spendgraph/db';
import { reportingCurrency } from '../query/reporting-currency.ts';
import type { SemanticLayer } from '@spendgraph/semantic';
import { argumentError, semanticCall } from '../query/errors.ts';
import { type FilterArg, QueryArgs, checkTimezone } from '../query/query-args.ts';

export interface ForecastDeps {
  pool: Pool;
  semantic: SemanticLayer;
}

interface Context {
  workspaceId: string;
  scopes: string[];
}

interface ProjectionArgs {
  filters?: FilterArg[] | null;
  period?: ProjectionPeriod | null;
  timezone?: string | null;
  currency?: string | null;
  asOf?: string | null;
}


const profile = (p: CostProfile, currency: string) => ({ ...p, allTypes: p.taskType === null, currency });

function presentPlan(f: PlanForecast) {
  return {
    ...f,
    byTaskType: f.byType.map((g) => ({ ...g, profile: g.profile && profile(g.profile, f.currency) })),
    budgets: f.budgets.map((b) => ({
      budgetId: b.budget.id, name: b.budget.name, amount: b.amount, mode: b.budget.mode, paused: b.budget.paused,
      exceeds: b.exceeds, mayExceed: b.mayExceed, exceedProbability: b.exceedProbability, overBy: b.overBy,
    })),
  };
}

export function forecastResolvers(deps: ForecastDeps) {
  const { pool, semantic } = deps;
  return {
    Query: {
      taskTypeProfiles: async (_: unknown, args: { currency?: string | null }, c: Context) => {
        const currency = await reportingCurrency(pool, c.workspaceId, args.currency, 'currency', 'forecasts are');
        const { types, all } = await taskTypeProfiles(semantic, c.workspaceId, { currency, pool });
        return [...types, ...(all ? [all] : [])].map((p) => profile(p, currency));
      },

      planForecasts: async (_: unknown, args: { ids?: string[] | null; currency?: string | null }, c: Context) => {
        const currency = await reportingCurrency(pool, c.workspaceId, args.currency, 'currency', 'forecasts are');
        const forecasts = await planForecasts({ pool, semantic }, c.workspaceId, args.ids ?? undefined, { currency });
        return forecasts.map(presentPlan);
      },

      spendProjection: async (_: unknown, args: ProjectionArgs, c: Context) => {
        const q = new QueryArgs(semantic);
        const filters = q.filters(args.filters);
        const timezone = args.timezone ?? 'UTC';
        checkTimezone(timezone);
        const currency = await reportingCurrency(pool, c.workspaceId, args.currency, 'currency', 'forecasts are');
        let now: Date | undefined;
        if (args.asOf) {
          now = new Date(args.asOf);
          if (Number.isNaN(now.getTime())) throw argumentError('INVALID_ARGUMENT', 'asOf', `'${args.asOf}' is not an ISO date or time`);
        }
        return semanticCall(q.origins, () =>
          spendProjection(semantic, c.workspaceId, { filters, period: args.period ?? 'month', timezone, currency, ...(now ? { now } : {}) }),
        );
      },
    },
  };
}
