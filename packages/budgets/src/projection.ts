// Where the spend is heading: the trend of the recent rate, carried to the end of the period.
import { Decimal } from 'decimal.js';
import type { DateTime, Duration } from 'luxon';
import type { Budget } from './schema.ts';
import { type BudgetWindow, rollingLength } from './period.ts';

export interface Projection {
  /** Spend at the end of the period if the recent rate holds (rolling: over a whole window at that rate). */
  projectedSpend: Decimal;
  /** When the spend reaches the amount at that rate; null when it does not within the period (or already has). */
  crossingAt: Date | null;
  /** A plan budget's: the calibrated probability (0-1) that the plan's total exceeds the amount. */
  probability?: number | null;
}

const DAY_MS = 86_400_000;

/**
 * Calendar periods: spend + rate x time left. Rolling windows: spend drops out
 * at the window's average rate while it comes in at the recent rate, so the
 * window's spend changes by (recent rate - spend / window) per day.
 */
export function project(
  b: Pick<Budget, 'period' | 'rollingDays' | 'rollingHours' | 'amount'>,
  window: BudgetWindow,
  spend: Decimal,
  recentSpend: Decimal,
  lookback: Duration,
  now: DateTime,
): Projection {
  const amount = new Decimal(b.amount);
  const ratePerDay = recentSpend.div(lookback.as('milliseconds') / DAY_MS);
  if (b.period === 'rolling') {
    const days = rollingLength(b).as('days');
    const slopePerDay = ratePerDay.minus(spend.div(days));
    const projectedSpend = ratePerDay.times(days);
    const crossing = spend.lt(amount) && slopePerDay.gt(0) && projectedSpend.gte(amount)
      ? new Date(now.toMillis() + amount.minus(spend).div(slopePerDay).times(DAY_MS).round().toNumber())
      : null;
    return { projectedSpend: projectedSpend.toDecimalPlaces(8), crossingAt: crossing };
  }
  const daysLeft = Math.max(0, window.end!.toMillis() - now.toMillis()) / DAY_MS;
  const projectedSpend = spend.plus(ratePerDay.times(daysLeft));
  const crossing = spend.lt(amount) && ratePerDay.gt(0) && projectedSpend.gte(amount)
    ? new Date(now.toMillis() + amount.minus(spend).div(ratePerDay).times(DAY_MS).round().toNumber())
    : null;
  return { projectedSpend: projectedSpend.toDecimalPlaces(8), crossingAt: crossing };
}
