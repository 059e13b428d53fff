// The time window a budget's spend is counted over, at a given moment.
import { DateTime, Duration } from 'luxon';
import { resolvePeriod } from '@spendgraph/periods';
import type { Budget } from './schema.ts';

export interface BudgetWindow {
  /** First instant counted; null for lifetime budgets. */
  start: DateTime | null;
  /** End of a calendar period (exclusive); null for rolling and lifetime windows, which end now. */
  end: DateTime | null;
  /** Identifies the period: thresholds fire once per key. */
  key: string;
}

/** Calendar budgets count the shared vocabulary's current period (packages/periods). */
const CALENDAR_PERIOD = { daily: 'today', weekly: 'this week', monthly: 'this month' } as const;

/** A rolling window's length: days, or hours (a plan's usage window). */
export function rollingLength(b: Pick<Budget, 'rollingDays' | 'rollingHours'>): Duration {
  return b.rollingHours ? Duration.fromObject({ hours: b.rollingHours }) : Duration.fromObject({ days: b.rollingDays! });
}

export function budgetWindow(b: Pick<Budget, 'period' | 'rollingDays' | 'rollingHours' | 'timezone'>, now: Date): BudgetWindow {
  switch (b.period) {
    case 'lifetime':
      return { start: null, end: null, key: 'lifetime' };
    case 'rolling':
      return { start: DateTime.fromJSDate(now, { zone: b.timezone }).minus(rollingLength(b)), end: null, key: 'rolling' };
    default: {
      const p = resolvePeriod(CALENDAR_PERIOD[b.period], b.timezone, now);
      const start = DateTime.fromJSDate(p.from, { zone: b.timezone });
      return { start, end: DateTime.fromJSDate(p.to, { zone: b.timezone }), key: start.toUTC().toISO()! };
    }
  }
}

/**
 * The trailing window whose spend rate projects the trend: the last 7 days for
 * weekly and monthly periods, the last day for daily periods and rolling
 * windows (a rolling window is compared with its own average); none for lifetime.
 * The evaluation starts it at the midnight before (whole days read from roll-ups), except
 * for a window in hours: a plan's usage window projects from the current pace, its last
 * fifth (at least an hour), read as it is.
 */
export function trendLookback(b: Pick<Budget, 'period' | 'rollingDays' | 'rollingHours'>): Duration | null {
  if (b.period === 'rolling' && b.rollingHours) return Duration.fromObject({ hours: Math.max(1, b.rollingHours / 5) });
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

