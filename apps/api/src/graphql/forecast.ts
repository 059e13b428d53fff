// Spend forecasting: task type profiles, plan forecasts against their budgets and the
// spend projection to period end. Computed by @spendgraph/forecast; here arguments are
// checked (errors name the argument) and the answers shaped for forecast.graphql.
import { type CostProfile, type PlanForecast, type ProjectionPeriod, planForecasts, spendProjection, taskTypeProfiles } from '@spendgraph/forecast';
import { type Pool, getWorkspaceSettings } from '@spendgraph/db';
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

/**
 * Forecasts are in the workspace's reporting currency: the model's costs count every currency
 * converted to it (docs/decisions/0023-currencies.md). Another currency is refused, naming the field.
 */
async function currencyOf(pool: Pool, workspaceId: string, v: string | null | undefined, field = 'currency'): Promise<string> {
  if (v != null && !/^[A-Z]{3}$/.test(v)) throw argumentError('INVALID_ARGUMENT', field, `'${v}' is not an ISO 4217 code such as USD`);
  const reporting = (await getWorkspaceSettings(pool, workspaceId))?.currency ?? 'USD';
  if (v != null && v !== reporting) {
    throw argumentError('INVALID_ARGUMENT', field, `forecasts are in the workspace's reporting currency (${reporting}), which counts every currency converted; '${v}' is not it`);
  }
  return reporting;
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
        const currency = await currencyOf(pool, c.workspaceId, args.currency);
        const { types, all } = await taskTypeProfiles(semantic, c.workspaceId, { currency, pool });
        return [...types, ...(all ? [all] : [])].map((p) => profile(p, currency));
      },

      planForecasts: async (_: unknown, args: { ids?: string[] | null; currency?: string | null }, c: Context) => {
        const currency = await currencyOf(pool, c.workspaceId, args.currency);
        const forecasts = await planForecasts({ pool, semantic }, c.workspaceId, args.ids ?? undefined, { currency });
        return forecasts.map(presentPlan);
      },

      spendProjection: async (_: unknown, args: ProjectionArgs, c: Context) => {
        const q = new QueryArgs(semantic);
        const filters = q.filters(args.filters);
        const timezone = args.timezone ?? 'UTC';
        checkTimezone(timezone);
        const currency = await currencyOf(pool, c.workspaceId, args.currency);
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
