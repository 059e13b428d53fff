// A daily cost series as linear trend × day-of-week factors: classical
// multiplicative decomposition (as in R's `decompose(type = "multiplicative")`
// with frequency 7), the trend then fitted as a straight line so it can be
// carried forward.
//
//  1. Trend estimate: the centred 7-day moving average T_t (defined from the 4th
//     day to the 4th last).
//  2. Seasonal factors: for each weekday, the mean of y_t / T_t over its days
//     (T_t > 0), normalised so the seven factors average 1 (a weekday without a
//     ratio gets 1 before normalising).
//  3. Trend line: ordinary least squares (simple-statistics) of the deseasonalised
//     series y_t / S_weekday(t) on t; days of a weekday whose factor is 0 (e.g.
//     weekends with no spend at all) carry no information on the level and are
//     left out.
//  4. One refinement pass: the factors are re-estimated as the mean of y_t / line_t
//     (the line is defined on every day, the moving average loses 3 at each end
//     and is biased by the trend within its window), normalised, and the line refitted.
//  5. Forecast: max(0, (a + b t) × S_weekday(t)).
//
// With fewer than 14 days (two weeks) the factors cannot be estimated: the series
// is a trend line only; with one day it is that day's value carried flat.
import { linearRegression, mean } from 'simple-statistics';

export type FitMethod = 'trend×weekday' | 'trend' | 'flat' | 'zero';

export interface DailyPoint {
  /** Day index (consecutive days: consecutive integers). */
  t: number;
  /** ISO weekday, 1 = Monday ... 7 = Sunday. */
  weekday: number;
  y: number;
}

export interface SeasonalFit {
  method: FitMethod;
  /** Trend line a + b t. */
  intercept: number;
  slope: number;
  /** Factor of each ISO weekday, index weekday - 1; they average 1. */
  factors: number[];
  days: number;
}

const ONES = [1, 1, 1, 1, 1, 1, 1];
export const MIN_SEASONAL_DAYS = 14;

function normalise(raw: Array<number | undefined>): number[] {
  const f = raw.map((x) => (x === undefined || !Number.isFinite(x) ? 1 : Math.max(x, 0)));
  const total = f.reduce((s, x) => s + x, 0);
  return total > 0 ? f.map((x) => (x * 7) / total) : [...ONES];
}

/** Mean ratio y / base per weekday, over points where base > 0. */
function weekdayRatios(points: DailyPoint[], base: (p: DailyPoint, i: number) => number | undefined): Array<number | undefined> {
  const ratios: number[][] = [[], [], [], [], [], [], []];
  points.forEach((p, i) => {
    const b = base(p, i);
    if (b !== undefined && b > 0) ratios[p.weekday - 1]!.push(p.y / b);
  });
  return ratios.map((r) => (r.length ? mean(r) : undefined));
}

function line(points: DailyPoint[], factors: number[]): { intercept: number; slope: number } {
  const data = points.filter((p) => factors[p.weekday - 1]! > 0).map((p) => [p.t, p.y / factors[p.weekday - 1]!]);
  if (!data.length) return { intercept: 0, slope: 0 };
  const { m, b } = linearRegression(data);
  return Number.isFinite(m) && Number.isFinite(b) ? { intercept: b, slope: m } : { intercept: mean(data.map((d) => d[1]!)), slope: 0 };
}

/** Fits the series (consecutive days, oldest first). */
export function fitDaily(points: DailyPoint[]): SeasonalFit {
  const days = points.length;
  if (!days || points.every((p) => p.y === 0)) return { method: 'zero', intercept: 0, slope: 0, factors: [...ONES], days };
  if (days === 1) return { method: 'flat', intercept: points[0]!.y, slope: 0, factors: [...ONES], days };
  if (days < MIN_SEASONAL_DAYS) return { method: 'trend', ...line(points, ONES), factors: [...ONES], days };

  const ma = points.map((_, i) => (i >= 3 && i + 3 < days ? mean(points.slice(i - 3, i + 4).map((p) => p.y)) : undefined));
  let factors = normalise(weekdayRatios(points, (_, i) => ma[i]));
  let fit = line(points, factors);
  factors = normalise(weekdayRatios(points, (p) => fit.intercept + fit.slope * p.t));
  fit = line(points, factors);
  return { method: 'trend×weekday', ...fit, factors, days };
}

export function predictDay(fit: SeasonalFit, t: number, weekday: number): number {
  const v = (fit.intercept + fit.slope * t) * fit.factors[weekday - 1]!;
  return Number.isFinite(v) ? Math.max(0, v) : 0;
}
