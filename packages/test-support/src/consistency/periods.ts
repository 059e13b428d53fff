// What a question's time range means, as instants [start, end). Relative ranges mean what the
// shared period vocabulary says they mean (@spendgraph/periods, itself checked against
// PostgreSQL's calendar arithmetic); absolute ranges are read here independently of the API: a
// date is a whole local day; a time without offset is local; a time with an offset is that
// instant; `to` is inclusive; no `to` = now.
import { DateTime } from 'luxon';
import { resolvePeriod } from '@spendgraph/periods';
import type { Range } from './questions.ts';

export interface Instants { start: number | null; end: number | null }

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;

function point(text: string, zone: string, end: boolean): number {
  if (DATE.test(text)) {
    const d = DateTime.fromISO(text, { zone });
    return (end ? d.plus({ days: 1 }) : d).toMillis();
  }
  const t = OFFSET.test(text) ? DateTime.fromISO(text) : DateTime.fromISO(text, { zone });
  return t.toMillis() + (end ? 1 : 0); // `to` includes its millisecond
}

export function resolveRange(range: Range, zone: string, nowMs: number): Instants {
  if (!range) return { start: null, end: null };
  if ('relative' in range) {
    const p = resolvePeriod(range.relative, zone, new Date(nowMs));
    return { start: p.from.getTime(), end: p.to.getTime() };
  }
  return { start: point(range.from, zone, false), end: range.to ? point(range.to, zone, true) : nowMs + 1 };
}

/**
 * A budget's window at the moment it was evaluated: calendar periods in its zone (weeks from
 * Monday) and rolling windows (the same wall time N days before) up to that moment, lifetime
 * = everything, events stamped ahead of the clock included.
 */
export function budgetWindow(b: { period: string; rollingDays?: number }, zone: string, evaluatedAt: number): Instants {
  const now = DateTime.fromMillis(evaluatedAt, { zone });
  const end = evaluatedAt + 1; // the evaluation's own millisecond is counted
  if (b.period === 'lifetime') return { start: null, end: null };
  if (b.period === 'rolling') return { start: now.minus({ days: b.rollingDays! }).toMillis(), end };
  const unit = ({ daily: 'day', weekly: 'week', monthly: 'month' } as const)[b.period as 'daily']!;
  return { start: now.startOf(unit).toMillis(), end };
}
