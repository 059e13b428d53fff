// Remaining spend of in-progress plans, and whether it will break their budgets.
//
// A plan is in progress when its status is open or in_progress and it has open tasks
// (status open or in_progress). Its remaining spend is, per open task, the mean
// cost of completed tasks of the task's type (the expected spend: a sum of medians
// understates a sum of skewed costs). The interval is the p25-p90 of the remaining
// total simulated from a lognormal per type fitted to its completed tasks
// (simulate.ts), and each budget gets the probability that the plan exceeds it.
// Open tasks whose type has no completed sample (or no type) take the all-types
// profile and are counted as `unprofiled`; with no completed task in the workspace
// at all there is no forecast (remaining null).
//
// Spent so far is the plan's `usage.total_cost` (every event naming the plan, its
// done and cancelled tasks included), exact like every read. An open task that has
// already spent counts in `spent` and again in full in `remaining`: the forecast
// leans high rather than low.
//
// A plan's budgets are those whose scope is exactly `plan_id = <the plan>` in the
// forecast's currency; `exceedsBudget` is set when the forecast total (the mean) is
// above the amount of one that is not paused.
import { Decimal } from 'decimal.js';
import { type Budget, type Pool, listBudgets, listPlans, listTasks } from '@spendgraph/db';
import { type SemanticLayer, usageMember } from '@spendgraph/semantic';
import { MAX_ROWS, dec, tooManyRows } from './money.ts';
import { type CompletedTask, type CostProfile, completedTaskCosts, costsByType, profilesOf } from './profiles.ts';
import { type LogNormalFit, type TaskGroupDraw, fitLogNormal, probabilityAbove, quantile, simulateRemaining } from './simulate.ts';

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
  /** count × mean, and the p25 and p90 of the group's simulated total (null without a profile). */
  remaining: string | null;
  remainingLow: string | null;
  remainingHigh: string | null;
}

export interface PlanBudgetForecast {
  budget: Budget;
  amount: string;
  /** Forecast total (the mean) above the amount. */
  exceeds: boolean;
  /** The interval's upper end (p90) above the amount: a chance of 10 % or more. */
  mayExceed: boolean;
  /** The probability (0-1) that the plan's total exceeds the amount; null without a forecast. */
  exceedProbability: number | null;
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
  /** Σ open tasks × their type's mean cost; null when no task of the workspace was ever completed. */
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
  /** The workspace's reporting currency: spend and profiles are in it, and so are its budgets (default USD). */
  currency?: string;
}

/** Whether the budget's scope is exactly this plan (`plan_id equals [planId]`). */
export function isPlanBudget(b: Pick<Budget, 'scope' | 'wholeWorkspace'>, planId: string): boolean {
  if (b.wholeWorkspace || b.scope.length !== 1) return false;
  const [f] = b.scope;
  return f!.member === 'plan_id' && f!.operator === 'equals' && f!.values.length === 1 && f!.values[0] === planId;
}

async function spentByPlan(semantic: SemanticLayer, workspaceId: string, planIds: string[]): Promise<Map<string, Decimal>> {
  const spent = new Map<string, Decimal>();
  if (!planIds.length) return spent;
  const { data } = await semantic.load(
    {
      measures: [usageMember('total_cost')],
      dimensions: [usageMember('plan_id')],
      filters: [
        { member: usageMember('plan_id'), operator: 'equals', values: planIds },
      ],
      limit: MAX_ROWS,
    },
    { workspaceId },
  );
  tooManyRows(data.length, 'the plan spend query');
  for (const row of data) spent.set(row[usageMember('plan_id')] as string, dec(row[usageMember('total_cost')]));
  return spent;
}

const times = (count: number, v: string) => new Decimal(v).times(count);
const sum = (xs: Array<Decimal | null>) => (xs.some((x) => x === null) ? null : xs.reduce<Decimal>((s, x) => s.plus(x!), new Decimal(0)));
const str = (d: Decimal | null) => (d === null ? null : d.toFixed());
const moneyOf = (x: number) => new Decimal(x).toDecimalPlaces(6);

/** Lognormal fits per type and of all completed tasks. */
interface Fits {
  byType: Map<string, LogNormalFit>;
  all: LogNormalFit | null;
}

function fitsOf(tasks: CompletedTask[]): Fits {
  const byType = new Map<string, LogNormalFit>();
  for (const [type, costs] of costsByType(tasks)) {
    const fit = fitLogNormal(costs.map((c) => c.toNumber()));
    if (fit) byType.set(type, fit);
  }
  return { byType, all: fitLogNormal(tasks.map((t) => t.cost.toNumber())) };
}

function drawOf(fits: Fits, taskType: string | null, count: number): TaskGroupDraw | null {
  const fit = (taskType !== null && fits.byType.get(taskType)) || fits.all;
  return fit ? { count, fit, fallbackSigma: fits.all?.sigma ?? 0 } : null;
}

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

  const [completed, spent, budgets] = await Promise.all([
    completedTaskCosts(semantic, workspaceId, { currency, pool }),
    spentByPlan(semantic, workspaceId, inProgress.map((p) => p.id)),
    listBudgets(pool, workspaceId),
  ]);
  const profiles = profilesOf(completed, currency);
  const profileOf = new Map(profiles.types.map((p) => [p.taskType!, p]));
  const fits = fitsOf(completed);

  return inProgress.map((plan): PlanForecast => {
    const counts = new Map<string | null, number>();
    for (const t of tasksOf.get(plan.id)!) counts.set(t.taskType, (counts.get(t.taskType) ?? 0) + 1);
    const byType = [...counts]
      .sort(([a], [b]) => (a ?? '\uffff').localeCompare(b ?? '\uffff'))
      .map(([taskType, count]): OpenTaskGroup => {
        const own = taskType === null ? undefined : profileOf.get(taskType);
        const profile = own ?? profiles.all;
        const draw = drawOf(fits, own ? taskType : null, count);
        const alone = draw && simulateRemaining([draw]);
        return {
          taskType, count, profile, unprofiled: !own,
          remaining: profile && times(count, profile.mean).toFixed(),
          remainingLow: alone && moneyOf(quantile(alone, 0.25)).toFixed(),
          remainingHigh: alone && moneyOf(quantile(alone, 0.9)).toFixed(),
        };
      });
    const spentSoFar = spent.get(plan.id) ?? new Decimal(0);
    const remaining = sum(byType.map((g) => (g.remaining === null ? null : new Decimal(g.remaining))));
    const draws = byType.map((g) => drawOf(fits, g.unprofiled ? null : g.taskType, g.count));
    const simulated = remaining && draws.every((d) => d !== null) ? simulateRemaining(draws as TaskGroupDraw[]) : null;
    const low = simulated && moneyOf(quantile(simulated, 0.25));
    const high = simulated && moneyOf(quantile(simulated, 0.9));
    const total = remaining && spentSoFar.plus(remaining);
    const totalHigh = high && spentSoFar.plus(high);
    const planBudgets = budgets
      .filter((b) => b.currency === currency && isPlanBudget(b, plan.id))
      .map((b): PlanBudgetForecast => {
        const probability = simulated && probabilityAbove(simulated, new Decimal(b.amount).minus(spentSoFar).toNumber());
        return {
          budget: b,
          amount: b.amount,
          exceeds: total !== null && total.gt(b.amount),
          mayExceed: totalHigh !== null && totalHigh.gt(b.amount),
          exceedProbability: probability === null ? null : Number(probability.toFixed(4)),
          overBy: total && total.minus(b.amount).toFixed(),
        };
      });
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
