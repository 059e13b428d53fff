// Remaining spend of in-progress plans, and whether it will break their budgets.
//
// A plan is in progress when its status is open or in_progress and it has open tasks
// (status open or in_progress). Its remaining spend is, per open task, the median
// cost of completed tasks of the task's type; the interval sums the types' p25 and
// p90 instead. Open tasks whose type has no completed sample (or no type) take the
// all-types profile and are counted as `unprofiled`; with no completed task in the
// workspace at all there is no forecast (remaining null).
//
// Spent so far is the plan's `usage.total_cost` (every event naming the plan, its
// done and cancelled tasks included) from raw events. An open task that has
// already spent counts in `spent` and again in full in `remaining`: the forecast
// leans high rather than low.
//
// A plan's budgets are those whose scope is exactly `plan_id = <the plan>` in the
// forecast's currency; `exceedsBudget` is set when the forecast total (point) is
// above the amount of one that is not paused.
import { Decimal } from 'decimal.js';
import { type Budget, type Pool, listBudgets, listPlans, listTasks } from '@spendgraph/db';
import { type SemanticLayer, usageMember } from '@spendgraph/semantic';
import { MAX_ROWS, dec, tooManyRows } from './money.ts';
import { type CostProfile, taskTypeProfiles } from './profiles.ts';

export interface ForecastDeps {
  pool: Pool;
  semantic: SemanticLayer;
}

export const IN_PROGRESS_PLAN = ['open', 'in_progress'];
export const OPEN_TASK = ['open', 'in_progress'];

export interface OpenTaskGroup {
  /** Null: tasks without a type. */
  taskType: string | null;
  count: number;
  /** The profile applied: the type's own, or the all-types one (null when there is none). */
  profile: CostProfile | null;
  /** Whether the type had no completed sample, so the all-types profile was used. */
  unprofiled: boolean;
  /** count × median, count × p25, count × p90 (null without a profile). */
  remaining: string | null;
  remainingLow: string | null;
  remainingHigh: string | null;
}

export interface PlanBudgetForecast {
  budget: Budget;
  amount: string;
  /** Forecast total (point) above the amount. */
  exceeds: boolean;
  /** The interval's upper end above the amount. */
  mayExceed: boolean;
  /** Forecast total minus amount (negative: headroom). */
  overBy: string | null;
}

export interface PlanForecast {
  planId: string;
  name: string | null;
  status: string;
  currency: string;
  spent: string;
  openTasks: number;
  /** Open tasks whose type had no completed sample (the all-types profile was used). */
  unprofiled: number;
  byType: OpenTaskGroup[];
  /** Σ open tasks × their type's median; null when no task of the workspace was ever completed. */
  remaining: string | null;
  remainingLow: string | null;
  remainingHigh: string | null;
  /** spent + remaining. */
  forecastTotal: string | null;
  forecastLow: string | null;
  forecastHigh: string | null;
  budgets: PlanBudgetForecast[];
  /** Some budget that is not paused is below the forecast total. */
  exceedsBudget: boolean;
}

export interface PlanForecastOptions {
  /** Spend, profiles and budgets in this currency (default USD). */
  currency?: string;
}

/** Whether the budget's scope is exactly this plan (`plan_id equals [planId]`). */
export function isPlanBudget(b: Pick<Budget, 'scope' | 'wholeWorkspace'>, planId: string): boolean {
  if (b.wholeWorkspace || b.scope.length !== 1) return false;
  const [f] = b.scope;
  return f!.member === 'plan_id' && f!.operator === 'equals' && f!.values.length === 1 && f!.values[0] === planId;
}

async function spentByPlan(semantic: SemanticLayer, workspaceId: string, planIds: string[], currency: string): Promise<Map<string, Decimal>> {
  const spent = new Map<string, Decimal>();
  if (!planIds.length) return spent;
  const { data } = await semantic.load(
    {
      measures: [usageMember('total_cost')],
      dimensions: [usageMember('plan_id')],
      filters: [
        { member: usageMember('plan_id'), operator: 'equals', values: planIds },
        { member: usageMember('currency'), operator: 'equals', values: [currency] },
      ],
      limit: MAX_ROWS,
    },
    { workspaceId },
    { fresh: true },
  );
  tooManyRows(data.length, 'the plan spend query');
  for (const row of data) spent.set(row[usageMember('plan_id')] as string, dec(row[usageMember('total_cost')]));
  return spent;
}

const times = (count: number, v: string) => new Decimal(v).times(count);
const sum = (xs: Array<Decimal | null>) => (xs.some((x) => x === null) ? null : xs.reduce<Decimal>((s, x) => s.plus(x!), new Decimal(0)));
const str = (d: Decimal | null) => (d === null ? null : d.toFixed());

/** Forecasts of the workspace's in-progress plans (or of those of `planIds` that are in progress), by plan id. */
export async function planForecasts(deps: ForecastDeps, workspaceId: string, planIds?: string[], opts: PlanForecastOptions = {}): Promise<PlanForecast[]> {
  const { pool, semantic } = deps;
  const currency = opts.currency ?? 'USD';
  const plans = await listPlans(pool, workspaceId, { ...(planIds ? { ids: planIds } : {}), status: IN_PROGRESS_PLAN });
  if (!plans.length) return [];
  const openTasks = await listTasks(pool, workspaceId, { planIds: plans.map((p) => p.id), status: OPEN_TASK });
  const tasksOf = new Map<string, typeof openTasks>();
  for (const t of openTasks) {
    let list = tasksOf.get(t.planId!);
    if (!list) tasksOf.set(t.planId!, (list = []));
    list.push(t);
  }
  const inProgress = plans.filter((p) => tasksOf.has(p.id)).sort((a, b) => a.id.localeCompare(b.id));
  if (!inProgress.length) return [];

  const [profiles, spent, budgets] = await Promise.all([
    taskTypeProfiles(semantic, workspaceId, { currency, pool }),
    spentByPlan(semantic, workspaceId, inProgress.map((p) => p.id), currency),
    listBudgets(pool, workspaceId),
  ]);
  const profileOf = new Map(profiles.types.map((p) => [p.taskType!, p]));

  return inProgress.map((plan): PlanForecast => {
    const counts = new Map<string | null, number>();
    for (const t of tasksOf.get(plan.id)!) counts.set(t.taskType, (counts.get(t.taskType) ?? 0) + 1);
    const byType = [...counts]
      .sort(([a], [b]) => (a ?? '\uffff').localeCompare(b ?? '\uffff'))
      .map(([taskType, count]): OpenTaskGroup => {
        const own = taskType === null ? undefined : profileOf.get(taskType);
        const profile = own ?? profiles.all;
        return {
          taskType, count, profile, unprofiled: !own,
          remaining: profile && times(count, profile.median).toFixed(),
          remainingLow: profile && times(count, profile.p25).toFixed(),
          remainingHigh: profile && times(count, profile.p90).toFixed(),
        };
      });
    const spentSoFar = spent.get(plan.id) ?? new Decimal(0);
    const remaining = sum(byType.map((g) => (g.remaining === null ? null : new Decimal(g.remaining))));
    const low = sum(byType.map((g) => (g.remainingLow === null ? null : new Decimal(g.remainingLow))));
    const high = sum(byType.map((g) => (g.remainingHigh === null ? null : new Decimal(g.remainingHigh))));
    const total = remaining && spentSoFar.plus(remaining);
    const totalHigh = high && spentSoFar.plus(high);
    const planBudgets = budgets
      .filter((b) => b.currency === currency && isPlanBudget(b, plan.id))
      .map((b): PlanBudgetForecast => ({
        budget: b,
        amount: b.amount,
        exceeds: total !== null && total.gt(b.amount),
        mayExceed: totalHigh !== null && totalHigh.gt(b.amount),
        overBy: total && total.minus(b.amount).toFixed(),
      }));
    return {
      planId: plan.id,
      name: plan.name,
      status: plan.status,
      currency,
      spent: spentSoFar.toFixed(),
      openTasks: tasksOf.get(plan.id)!.length,
      unprofiled: byType.filter((g) => g.unprofiled).reduce((n, g) => n + g.count, 0),
      byType,
      remaining: str(remaining),
      remainingLow: str(low),
      remainingHigh: str(high),
      forecastTotal: str(total),
      forecastLow: str(low && spentSoFar.plus(low)),
      forecastHigh: str(totalHigh),
      budgets: planBudgets,
      exceedsBudget: planBudgets.some((b) => b.exceeds && !b.budget.paused),
    };
  });
}
