// Evaluates budgets: reads their spend through the semantic layer, projects the
// trend, records every level newly reached as an alert (with its deliveries, in
// the same transaction) and stores the budget's status for the guard.
import { now as clockNow } from '@spendgraph/periods/clock';
import { Decimal } from 'decimal.js';
import { DateTime } from 'luxon';
import { type Budget, type BudgetStatus, type NewBudgetAlert, type Pool, activeBudgets, recordAlerts, saveBudgetStatuses, withBudgetsLocked } from '@spendgraph/db';
import { isPlanBudget, planForecasts } from '@spendgraph/forecast';
import type { SemanticLayer } from '@spendgraph/semantic';
import { type BudgetWindow, budgetWindow, trendLookback } from './period.ts';
import { type Projection, project } from './projection.ts';
import { type SpendReader, type SpendRequest, readSpend } from './spend.ts';

export interface EvaluateOptions {
  workspaceId?: string;
  budgetIds?: string[];
  /** Only hard budgets (the fast check after an ingested batch). */
  hardOnly?: boolean;
  /** The moment evaluated (tests move it); default now. */
  now?: Date;
}

export interface EvaluationResult {
  budgets: number;
  alerts: number;
  /** Deliveries recorded for the new alerts, to be queued. */
  deliveryIds: string[];
  /** Workspaces whose budget status changed (for the guard caches). */
  workspaces: string[];
  /** The statuses stored (sent to the guard caches with the announcement). */
  statuses: BudgetStatus[];
  /** Organization budgets evaluated: the workspaces each covers (their guard caches get its status too). */
  covers?: Record<string, string[]>;
}

interface Assessment {
  budget: Budget;
  window: BudgetWindow;
  spend: Decimal;
  projection: Projection | null;
  /** Threshold levels ('50', '90') and 'forecast' reached now. */
  reached: string[];
}

export async function evaluateBudgets(deps: { pool: Pool; semantic: SemanticLayer }, opts: EvaluateOptions = {}): Promise<EvaluationResult> {
  const now = opts.now ?? clockNow();
  const budgets = await activeBudgets(deps.pool, { workspaceId: opts.workspaceId, ids: opts.budgetIds, hardOnly: opts.hardOnly });
  const result: EvaluationResult = { budgets: budgets.length, alerts: 0, deliveryIds: [], workspaces: [], statuses: [] };
  for (const [workspaceId, list] of Map.groupBy(budgets, (b) => b.workspaceId)) {
    const assessments = await assess(deps.semantic, list, now, opts.hardOnly);
    // Hard stops need only the spend; the slower plan forecasts feed the scheduled evaluation.
    if (!opts.hardOnly) await projectPlanBudgets(deps, workspaceId, assessments);
    const recorded = await record(deps.pool, assessments, now);
    result.alerts += recorded.alerts;
    result.deliveryIds.push(...recorded.deliveryIds);
    result.statuses.push(...recorded.statuses);
    // Every workspace an organization budget covers: their guard caches read its new standing.
    result.workspaces.push(workspaceId, ...list.flatMap((b) => b.coveredWorkspaceIds));
    for (const b of list) if (b.organization) (result.covers ??= {})[b.id] = b.coveredWorkspaceIds;
  }
  result.workspaces = [...new Set(result.workspaces)];
  return result;
}

async function assess(semantic: SemanticLayer, budgets: Budget[], now: Date, inSnapshot = false): Promise<Assessment[]> {
  const windows = new Map<string, BudgetWindow>(); // a thousand budgets have a handful of windows
  const plans = budgets.map((budget) => {
    const windowKey = `${budget.period}|${budget.rollingDays}|${budget.rollingHours}|${budget.timezone}`;
    if (!windows.has(windowKey)) windows.set(windowKey, budgetWindow(budget, now));
    const window = windows.get(windowKey)!;
    const local = DateTime.fromJSDate(now, { zone: budget.timezone });
    // The trend starts at a midnight: its days are whole (roll-ups, no raw read of a partial first
    // day), and its rate is taken over the time it spans.
    const trend = trendLookback(budget);
    const since = trend && (budget.rollingHours ? local.minus(trend) : local.minus(trend).startOf('day'));
    return { budget, window, local, since, lookback: since && local.diff(since) };
  });
  const requests: SpendRequest[] = [];
  for (const p of plans) {
    requests.push({ budget: p.budget, from: p.window.start, to: p.local });
    if (p.since) requests.push({ budget: p.budget, from: p.since, to: p.local });
  }
  // A hard check (a few budgets, mostly today's raw events) reads at one snapshot on the layer's
  // own connections: its raw reads skip Cube's query queue, where a scheduled evaluation's
  // reads may be waiting, and its segments all see the same transactions.
  const spends = inSnapshot
    ? await semantic.snapshot((reader) => spendAcross({ load: reader.load, meta: semantic.meta }, requests))
    : await spendAcross(semantic, requests);
  let i = 0;
  return plans.map(({ budget, window, local, lookback }) => {
    const spend = spends[i++]!;
    const projection = lookback ? project(budget, window, spend, spends[i++]!, lookback, local) : null;
    return { budget, window, spend, projection, reached: reachedLevels(budget, spend, projection) };
  });
}

/**
 * Spend of each request over the workspaces its budget covers (an organization budget's are
 * several): the layer reads one workspace at a time, and the sums are exact decimals.
 */
async function spendAcross(semantic: SpendReader, requests: SpendRequest[]): Promise<Decimal[]> {
  const totals = requests.map(() => new Decimal(0));
  const workspaces = new Set(requests.flatMap((r) => r.budget.coveredWorkspaceIds));
  await Promise.all([...workspaces].map(async (workspaceId) => {
    const slots = requests.flatMap((r, i) => (r.budget.coveredWorkspaceIds.includes(workspaceId) ? [i] : []));
    const spends = await readSpend(semantic, workspaceId, slots.map((i) => requests[i]!));
    slots.forEach((slot, j) => (totals[slot] = totals[slot]!.plus(spends[j]!)));
  }));
  return totals;
}

function reachedLevels(b: Budget, spend: Decimal, projection: Projection | null): string[] {
  const percent = spend.div(b.amount).times(100);
  const levels = b.thresholds.filter((t) => percent.gte(t)).map(String);
  // Once the limit is reached the forecast stays reached: it must not fire after the fact.
  if (b.forecastAlerts && (projection?.projectedSpend.gte(b.amount) || spend.gte(b.amount))) levels.push('forecast');
  return levels;
}

/**
 * A lifetime budget of one plan (scope plan_id = X) projects to the plan's
 * forecast: what it spent plus its open tasks x their type's mean cost, with the
 * calibrated probability of exceeding the amount (@spendgraph/forecast), which its
 * forecast alert carries. It has no crossing date: the plan ends when its tasks do.
 */
async function projectPlanBudgets(deps: { pool: Pool; semantic: SemanticLayer }, workspaceId: string, assessments: Assessment[]) {
  const planOf = (b: Budget) => (b.period === 'lifetime' && b.scope.length === 1 && isPlanBudget(b, b.scope[0]!.values[0]!) ? b.scope[0]!.values[0]! : undefined);
  const planned = assessments.filter((a) => planOf(a.budget));
  if (!planned.length) return;
  for (const [currency, list] of Map.groupBy(planned, (a) => a.budget.currency)) {
    const forecasts = await planForecasts(deps, workspaceId, [...new Set(list.map((a) => planOf(a.budget)!))], { currency });
    const byPlan = new Map(forecasts.map((f) => [f.planId, f]));
    for (const a of list) {
      const f = byPlan.get(planOf(a.budget)!);
      if (!f?.forecastTotal) continue; // not in progress, or no completed task to learn from
      const probability = f.budgets.find((b) => b.budget.id === a.budget.id)?.exceedProbability ?? null;
      a.projection = { projectedSpend: new Decimal(f.forecastTotal), crossingAt: null, probability };
      a.reached = reachedLevels(a.budget, a.spend, a.projection);
    }
  }
}

/**
 * Stores the statuses and the alerts of newly reached levels of a workspace's budgets, in one
 * transaction holding their locks (evaluations of a budget are serialized, so a level fires once).
 */
async function record(pool: Pool, assessments: Assessment[], now: Date): Promise<{ alerts: number; deliveryIds: string[]; statuses: BudgetStatus[] }> {
  const asOf = now.toISOString();
  return withBudgetsLocked(pool, assessments.map((a) => a.budget.id), async (tx, previous) => {
    const current = assessments.filter((a) => {
      if (!previous.has(a.budget.id)) return false; // deleted meanwhile
      const before = previous.get(a.budget.id);
      return !(before && new Date(before.asOf) > now); // else a newer evaluation already ran
    });
    const recorded = await recordAlerts(tx, current.flatMap((a) => newAlerts(a, previous.get(a.budget.id), asOf)));
    const statuses = current.map((a) => statusOf(a, asOf));
    await saveBudgetStatuses(tx, statuses);
    return { ...recorded, statuses };
  });
}

/** An alert for each level newly reached since the previous status. */
function newAlerts(a: Assessment, previous: BudgetStatus | undefined, asOf: string): NewBudgetAlert[] {
  const { budget: b, window, spend, projection } = a;
  const before = new Set(previous?.periodKey === window.key ? previous.reached : []);
  const fresh = a.reached.filter((level) => !before.has(level));
  // The forecast first (it warns ahead), then thresholds in ascending order.
  // A forecast that comes true only now (the limit is already reached) is no warning: the thresholds tell.
  const ordered = [...fresh.filter((l) => l === 'forecast' && spend.lt(b.amount)), ...fresh.filter((l) => l !== 'forecast')];
  return ordered.map((level) => ({
    workspaceId: b.workspaceId,
    budgetId: b.id,
    kind: level === 'forecast' ? 'forecast' : 'threshold',
    threshold: level === 'forecast' ? null : Number(level),
    // A rolling window has no periods: each excursion above a level is its own.
    periodKey: b.period === 'rolling' ? `rolling:${asOf}` : window.key,
    periodStart: window.start?.toUTC().toISO() ?? null,
    periodEnd: window.end?.toUTC().toISO() ?? null,
    spend: spend.toFixed(),
    amount: b.amount,
    currency: b.currency,
    projectedSpend: projection?.projectedSpend.toFixed() ?? null,
    projectedCrossingAt: projection?.crossingAt?.toISOString() ?? null,
    exceedProbability: level === 'forecast' ? (projection?.probability ?? null) : null,
  }));
}

function statusOf({ budget: b, window, spend, projection, reached }: Assessment, asOf: string): BudgetStatus {
  return {
    budgetId: b.id,
    workspaceId: b.workspaceId,
    asOf,
    periodKey: window.key,
    periodStart: window.start?.toUTC().toISO() ?? null,
    periodEnd: window.end?.toUTC().toISO() ?? null,
    amount: b.amount,
    spend: spend.toFixed(),
    projectedSpend: projection?.projectedSpend.toFixed() ?? null,
    projectedCrossingAt: projection?.crossingAt?.toISOString() ?? null,
    reached,
  };
}
