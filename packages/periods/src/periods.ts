// The period vocabulary: what `today`, `last 7 days`, `this month`... mean, everywhere
// (API ranges, exports, embeds, web pages, the morning report, budgets). See
// docs/decisions/0002-periods.md. A period is resolved in a time zone, at an instant (the
// clock's now), to absolute instants [from, to).
//
// - `today`, `this week|month|quarter|year`: the current calendar unit, so far (partial).
// - `yesterday`, `last week|month|quarter|year`: the previous whole calendar unit.
// - `last N days|weeks|months|quarters|years`: N calendar units ending with the current one,
//   so `last 7 days` is today and the 6 days before (partial: today is not over).
// - `last N hours|minutes`: the N hours (minutes) up to now, not rounded.
// Weeks start on Monday. Day boundaries follow the time zone, so a DST day has 23 or 25 hours.
import { DateTime, type DurationLikeObject } from 'luxon';
import { now } from './clock.ts';

export type CalendarUnit = 'day' | 'week' | 'month' | 'quarter' | 'year';
export type Unit = CalendarUnit | 'hour' | 'minute';

export interface Period {
  /** First instant in the period. */
  from: Date;
  /** First instant after it (exclusive). */
  to: Date;
  /** The period is not over at the instant it was resolved at: its figures still grow. */
  partial: boolean;
  timezone: string;
}

interface Spec { unit: Unit; count: number; /** units between the last one and the current one */ back: number }

export class PeriodError extends Error {}

export const PERIOD_EXAMPLES = ['today', 'yesterday', 'last 7 days', 'last 30 days', 'this week', 'last week', 'this month', 'last month', 'this year', 'last 24 hours'];

const UNITS: Record<string, Unit> = {
  minute: 'minute', minutes: 'minute', hour: 'hour', hours: 'hour', day: 'day', days: 'day', week: 'week', weeks: 'week',
  month: 'month', months: 'month', quarter: 'quarter', quarters: 'quarter', year: 'year', years: 'year',
};
const MAX_COUNT = 10_000;

function parse(text: string): Spec {
  const words = text.trim().toLowerCase().split(/\s+/);
  const [first, second, third] = words;
  if (words.length === 1 && first === 'today') return { unit: 'day', count: 1, back: 0 };
  if (words.length === 1 && first === 'yesterday') return { unit: 'day', count: 1, back: 1 };
  const unit = UNITS[words[words.length - 1]!];
  if (unit && words.length === 2 && (first === 'this' || first === 'last') && !second!.endsWith('s') && unit !== 'hour' && unit !== 'minute') {
    return { unit, count: 1, back: first === 'this' ? 0 : 1 };
  }
  if (unit && words.length === 3 && first === 'last' && /^\d+$/.test(second!) && third) {
    const count = Number(second);
    if (count >= 1 && count <= MAX_COUNT) return { unit, count, back: 0 };
  }
  throw new PeriodError(`'${text}' is not a period: use e.g. ${PERIOD_EXAMPLES.map((p) => `'${p}'`).join(', ')}, or from/to`);
}

/** Throws PeriodError unless `text` names a period. */
export function checkPeriod(text: string): void {
  parse(text);
}

function fromSpec(spec: Spec, timezone: string, at: Date): Period {
  const local = DateTime.fromJSDate(at, { zone: timezone });
  if (!local.isValid) throw new PeriodError(`'${timezone}' is not an IANA time zone`);
  const step = (n: number): DurationLikeObject => ({ [`${spec.unit}s`]: n });
  const rolling = spec.unit === 'hour' || spec.unit === 'minute';
  // Rolling units end now; calendar units end with the current unit, `back` units ago.
  const end = rolling ? local.minus(step(spec.back * spec.count)) : local.startOf(spec.unit, { useLocaleWeeks: false }).plus(step(1 - spec.back));
  const start = end.minus(step(spec.count));
  return { from: start.toJSDate(), to: end.toJSDate(), partial: end.toMillis() > at.getTime(), timezone };
}

/** The absolute [from, to) a relative period names, in `timezone`, at `at` (the clock's now). */
export function resolvePeriod(text: string, timezone = 'UTC', at: Date = now()): Period {
  return fromSpec(parse(text), timezone, at);
}

/** The period of the same kind just before (`last 7 days` -> the 7 days before them; `this month` -> last month). */
export function previousPeriod(text: string, timezone = 'UTC', at: Date = now()): Period {
  const spec = parse(text);
  const back = spec.back + (spec.unit === 'hour' || spec.unit === 'minute' ? 1 : spec.count);
  return fromSpec({ ...spec, back }, timezone, at);
}

/** An absolute range given as instants or local dates/times in `timezone` (`to` inclusive, as typed by people). */
export function absolutePeriod(from: string, to: string | null | undefined, timezone = 'UTC', at: Date = now()): Period {
  const start = localInstant(from, timezone);
  // A date-only `to` means that whole day; a time means up to and including that millisecond.
  const end = to ? (isDateOnly(to) ? localInstant(to, timezone).plus({ days: 1 }) : localInstant(to, timezone).plus({ milliseconds: 1 })) : DateTime.fromJSDate(at);
  return { from: start.toJSDate(), to: end.toJSDate(), partial: end.toMillis() > at.getTime(), timezone };
}

/** Whether `text` is an ISO date or time absolutePeriod() reads. */
export const isIsoTime = (text: string) => DateTime.fromISO(text.trim()).isValid;

const isDateOnly = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s.trim());

function localInstant(text: string, timezone: string): DateTime {
  const t = DateTime.fromISO(text.trim(), { zone: timezone, setZone: false });
  if (!t.isValid) throw new PeriodError(`'${text}' is not an ISO date or time`);
  return t.setZone(timezone);
}

/** Cube's date range for a period: wall-clock times in the query's time zone, `to` inclusive. */
export function cubeDateRange(p: Period): [string, string] {
  return [cubeLocalTime(p.from.getTime(), p.timezone), cubeLocalTime(p.to.getTime() - 1, p.timezone)];
}

/**
 * How a query to the semantic layer names instant `t`: the wall-clock time of its zone (read back
 * with the zone's real offset). One hour a year has no reading of its own — the first pass of a
 * repeated hour reads as its second pass —: that instant is given as itself, with its offset, and
 * the semantic layer pins its reading to it.
 */
export function cubeTime(t: DateTime): string {
  const reading = t.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
  return DateTime.fromISO(reading, { zone: t.zone }).toMillis() === t.toMillis() ? reading : t.toISO()!;
}

const cubeLocalTime = (ms: number, zone: string) => cubeTime(DateTime.fromMillis(ms, { zone }));

/** The period as ISO instants with the time zone's offset, for answers. */
export function periodJson(p: Period) {
  const iso = (d: Date) => DateTime.fromJSDate(d, { zone: p.timezone }).toISO({ suppressMilliseconds: true })!;
  return { from: iso(p.from), to: iso(p.to), partial: p.partial, timezone: p.timezone };
}

/** A time bucket is partial when it is not wholly inside the period's elapsed part. */
export function bucketPartial(bucketStart: Date, granularity: Unit, p: Period, at: Date = now()): boolean {
  const start = DateTime.fromJSDate(bucketStart, { zone: p.timezone });
  const end = start.plus({ [`${granularity}s`]: 1 }).toMillis();
  return start.toMillis() < p.from.getTime() || end > p.to.getTime() || end > at.getTime();
}
