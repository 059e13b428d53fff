// Spend projected to the end of the current week or month, for the workspace or
// any scope (semantic-layer filters), with the backtest error of the same method.
//
// Data: the daily `usage.total_cost` (raw events, days in the given time zone) of
// the last 8 complete weeks before today, plus today so far. Leading days without
// spend are dropped (a workspace or scope that started recently is fitted from its
// first spend, not from a run of zeros).
//
// Model: linear trend × day-of-week factors (seasonal.ts). Projection: the actual
// spend since the period started (today included, to now) plus, for the rest of
// today, the model's value for today × the fraction of today still to come, plus
// the model's value for each later day of the period.
//
// Backtest: the same fit on all but the last 7 complete days, predicting those 7;
// reported as MAPE (mean absolute percentage error over the days with spend) and
// as the error of the 7-day total, next to the forecast.
import { now as clockNow } from '@spendgraph/periods/clock';
import { cubeTime } from '@spendgraph/periods';
import { Decimal } from 'decimal.js';
import { DateTime } from 'luxon';
import { type CubeQuery, type SemanticLayer, usageMember } from '@spendgraph/semantic';
import { MAX_ROWS, dec, money, tooManyRows } from './money.ts';
import { type DailyPoint, type FitMethod, type SeasonalFit, fitDaily, predictDay } from './seasonal.ts';

export type ProjectionPeriod = 'week' | 'month';
type CubeFilter = NonNullable<CubeQuery['filters']>[number];

export const HISTORY_DAYS = 56;
export const BACKTEST_DAYS = 7;

export interface ProjectionOptions {
  /** Scope of the projection, as `usage` filters (qualified members); none: the whole workspace. */
  filters?: CubeFilter[];
  /** Weeks start on Monday; both in `timezone`. */
  period: ProjectionPeriod;
  timezone: string;
  /** Default: the current time. */
  now?: Date;
  /** The workspace's reporting currency, which the model's costs are in (a label; default USD). */
  currency?: string;
}

export interface ProjectedDay {
  /** Local date (YYYY-MM-DD) in the projection's time zone. */
  date: string;
  /** Spend still expected that day (for today: its remaining part). Decimal string. */
  projected: string;
  /** Share of the day still to come (1 for later days). */
  fraction: number;
}

export interface BacktestDay {
  date: string;
  actual: string;
  predicted: string;
}

export interface Backtest {
  /** Days the refit used (all fitted days but the last 7). */
  trainDays: number;
  days: BacktestDay[];
  /** Mean absolute percentage error over the test days with spend, in percent; null when none had spend. */
  mape: number | null;
  actualTotal: string;
  predictedTotal: string;
  /** predictedTotal - actualTotal. */
  totalError: string;
  /** totalError / actualTotal, in percent; null when nothing was spent. */
  totalErrorPercent: number | null;
}

export interface SpendProjection {
  period: ProjectionPeriod;
  timezone: string;
  currency: string;
  asOf: string;
  periodStart: string;
  periodEnd: string;
  /** Spend from the period's start to now (exact). */
  actual: string;
  /** Spend expected from now to the period's end. */
  projectedRemaining: string;
  /** actual + projectedRemaining. */
  projected: string;
  days: ProjectedDay[];
  model: {
    method: FitMethod;
    /** Complete days fitted (at most 56), first and last. */
    historyDays: number;
    fitFrom: string | null;
    fitTo: string | null;
    /** Deseasonalised level of today and its change per day (decimal strings). */
    level: string;
    trendPerDay: string;
    /** ISO weekday (1 = Monday) and its factor; they average 1. */
    weekdayFactors: Array<{ weekday: number; factor: number }>;
  };
  backtest: Backtest | null;
}

const DAY_KEY = `${usageMember('occurred_at')}.day`;

/** Daily cost from `from` (a local midnight) to `to`, keyed by local date. */
async function dailyCost(semantic: SemanticLayer, workspaceId: string, opts: ProjectionOptions, from: DateTime, to: DateTime): Promise<Map<string, Decimal>> {
  const query: CubeQuery = {
    measures: [usageMember('total_cost')],
    timeDimensions: [{ dimension: usageMember('occurred_at'), granularity: 'day', dateRange: [cubeTime(from), cubeTime(to)] }],
    filters: opts.filters ?? [],
    timezone: opts.timezone,
    limit: MAX_ROWS,
  };
  const { data } = await semantic.load(query, { workspaceId }, { fresh: true });
  tooManyRows(data.length, 'the daily cost query');
  const byDay = new Map<string, Decimal>();
  for (const row of data) {
    const day = String(row[DAY_KEY]).slice(0, 10);
    byDay.set(day, (byDay.get(day) ?? new Decimal(0)).plus(dec(row[usageMember('total_cost')])));
  }
  return byDay;
}

function backtest(points: Array<DailyPoint & { date: string; cost: Decimal }>): Backtest | null {
  if (points.length < BACKTEST_DAYS + 2) return null;
  const train = points.slice(0, -BACKTEST_DAYS);
  const test = points.slice(-BACKTEST_DAYS);
  const fit = fitDaily(train);
  const days = test.map((p) => ({ date: p.date, actual: p.cost, predicted: new Decimal(money(predictDay(fit, p.t, p.weekday))) }));
  const withSpend = days.filter((d) => d.actual.gt(0));
  const mape = withSpend.length
    ? withSpend.reduce((s, d) => s + d.predicted.minus(d.actual).abs().div(d.actual).toNumber(), 0) / withSpend.length * 100
    : null;
  const actualTotal = days.reduce((s, d) => s.plus(d.actual), new Decimal(0));
  const predictedTotal = days.reduce((s, d) => s.plus(d.predicted), new Decimal(0));
  const error = predictedTotal.minus(actualTotal);
  return {
    trainDays: train.length,
    days: days.map((d) => ({ date: d.date, actual: d.actual.toFixed(), predicted: d.predicted.toFixed() })),
    mape,
    actualTotal: actualTotal.toFixed(),
    predictedTotal: predictedTotal.toFixed(),
    totalError: error.toFixed(),
    totalErrorPercent: actualTotal.gt(0) ? error.div(actualTotal).times(100).toNumber() : null,
  };
}

export async function spendProjection(semantic: SemanticLayer, workspaceId: string, opts: ProjectionOptions): Promise<SpendProjection> {
  const now = DateTime.fromJSDate(opts.now ?? clockNow(), { zone: opts.timezone });
  if (!now.isValid) throw new Error(`'${opts.timezone}' is not an IANA time zone`);
  const today = now.startOf('day');
  const periodStart = now.startOf(opts.period); // luxon weeks start on Monday (ISO)
  const periodEnd = periodStart.plus({ [opts.period]: 1 });
  const historyStart = today.minus({ days: HISTORY_DAYS });
  const from = periodStart < historyStart ? periodStart : historyStart;
  const costs = await dailyCost(semantic, workspaceId, opts, from, now);

  // The last 8 complete weeks, from the first day with spend.
  const history: Array<DailyPoint & { date: string; cost: Decimal }> = [];
  for (let t = 0; t < HISTORY_DAYS; t++) {
    const day = historyStart.plus({ days: t });
    const date = day.toISODate()!;
    const cost = costs.get(date) ?? new Decimal(0);
    if (!history.length && cost.isZero()) continue;
    history.push({ t, weekday: day.weekday, y: cost.toNumber(), date, cost });
  }
  const fit: SeasonalFit = fitDaily(history);

  let actual = new Decimal(0);
  for (const [date, cost] of costs) if (date >= periodStart.toISODate()! && date <= today.toISODate()!) actual = actual.plus(cost);

  const days: ProjectedDay[] = [];
  for (let day = today, t = HISTORY_DAYS; day < periodEnd; day = day.plus({ days: 1 }), t++) {
    const next = day.plus({ days: 1 });
    const fraction = day.equals(today) ? next.diff(now).toMillis() / next.diff(today).toMillis() : 1;
    days.push({ date: day.toISODate()!, projected: money(predictDay(fit, t, day.weekday) * fraction), fraction });
  }
  const remaining = days.reduce((s, d) => s.plus(d.projected), new Decimal(0));

  return {
    period: opts.period,
    timezone: opts.timezone,
    currency: opts.currency ?? 'USD',
    asOf: now.toUTC().toISO()!,
    periodStart: periodStart.toUTC().toISO()!,
    periodEnd: periodEnd.toUTC().toISO()!,
    actual: actual.toFixed(),
    projectedRemaining: remaining.toFixed(),
    projected: actual.plus(remaining).toFixed(),
    days,
    model: {
      method: fit.method,
      historyDays: history.length,
      fitFrom: history[0]?.date ?? null,
      fitTo: history.at(-1)?.date ?? null,
      level: money(fit.intercept + fit.slope * HISTORY_DAYS),
      trendPerDay: money(fit.slope),
      weekdayFactors: fit.factors.map((factor, i) => ({ weekday: i + 1, factor })),
    },
    backtest: backtest(history),
  };
}
