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

export function budgetWindow(b: Pick<Budget, 'period' | 'rollingDays' | 'timezone'>, now: Date): BudgetWindow {
  switch (b.period) {
    case 'lifetime':
      return { start: null, end: null, key: 'lifetime' };
    case 'rolling':
      return { start: DateTime.fromJSDate(now, { zone: b.timezone }).minus({ days: b.rollingDays! }), end: null, key: 'rolling' };
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
 * The evaluation starts it at the midnight before (whole days read from roll-ups).
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

