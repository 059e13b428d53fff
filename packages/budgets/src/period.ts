// The time window a budget's spend is counted over, at a given moment.
import { DateTime, Duration } from 'luxon';
import type { Budget } from './schema.ts';

export interface BudgetWindow {
  /** First instant counted; null for lifetime budgets. */
  start: DateTime | null;
  /** End of a calendar period (exclusive); null for rolling and lifetime windows, which end now. */
  end: DateTime | null;
  /** Identifies the period: thresholds fire once per key. */
  key: string;
}

const CALENDAR_UNIT = { daily: 'day', weekly: 'week', monthly: 'month' } as const;

export function budgetWindow(b: Pick<Budget, 'period' | 'rollingDays' | 'timezone'>, now: Date): BudgetWindow {
  const local = DateTime.fromJSDate(now, { zone: b.timezone });
  switch (b.period) {
    case 'lifetime':
      return { start: null, end: null, key: 'lifetime' };
    case 'rolling':
      return { start: local.minus({ days: b.rollingDays! }), end: null, key: 'rolling' };
    default: {
      const unit = CALENDAR_UNIT[b.period];
      const start = local.startOf(unit); // luxon weeks start on Monday (ISO)
      return { start, end: start.plus({ [unit]: 1 }), key: start.toUTC().toISO()! };
    }
  }
}

/**
 * The trailing window whose spend rate projects the trend: the last 7 days for
 * weekly and monthly periods, the last day for daily periods and rolling
 * windows (a rolling window is compared with its own average); none for lifetime.
 */
export function trendLookback(b: Pick<Budget, 'period' | 'rollingDays'>): Duration | null {
  switch (b.period) {
    case 'lifetime':
      return null;
    case 'weekly':
    case 'monthly':
      return Duration.fromObject({ days: 7 });
    default:
      return Duration.fromObject({ days: 1 });
  }
}

/** Cube's date range format: local time in the query's time zone (its `to` is inclusive). */
export function cubeTime(t: DateTime): string {
  return t.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
}
