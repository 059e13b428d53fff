// What a question's time range means, as instants [start, end), written here independently of
// the API (Cube's definitions as documented: 'last N days' = the N whole days before today in
// the query's time zone, 'this month' = the calendar month, weeks start on Monday; a date is a
// whole local day; a time without offset is local; a time with an offset is that instant;
// `to` is inclusive; no `to` = now). The ONE place to change when the shared period module lands.
import { DateTime, type DateTimeUnit } from 'luxon';
import type { Range } from './questions.ts';

export interface Instants { start: number | null; end: number | null }

const UNITS: Record<string, DateTimeUnit> = { day: 'day', days: 'day', week: 'week', weeks: 'week', month: 'month', months: 'month', quarter: 'quarter', year: 'year' };
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;

function relative(text: string, now: DateTime): [DateTime, DateTime] {
  const today = now.startOf('day');
  if (text === 'today') return [today, today.plus({ days: 1 })];
  if (text === 'yesterday') return [today.minus({ days: 1 }), today];
  const m = /^(this|last)\s+(?:(\d+)\s+)?(\w+)$/.exec(text);
  const unit = m && UNITS[m[3]!];
  if (!m || !unit) throw new Error(`periods: unknown relative range '${text}'`);
  const current = now.startOf(unit);
  if (m[1] === 'this') return [current, current.plus({ [unit]: 1 })];
  return [current.minus({ [unit]: Number(m[2] ?? 1) }), current];
}

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
    const [s, e] = relative(range.relative, DateTime.fromMillis(nowMs, { zone }));
    return { start: s.toMillis(), end: e.toMillis() };
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
