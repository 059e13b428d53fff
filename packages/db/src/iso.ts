// The one return convention for instants: an ISO 8601 string in UTC (null stays null).
export function iso(v: Date | string): string;
export function iso(v: Date | string | null): string | null;
export function iso(v: Date | string | null): string | null {
  return v === null ? null : new Date(v).toISOString();
}

/** `toISOString()`'s spelling with a time of day in range (as the API queues events). */
const CANONICAL_UTC = /^(\d{4}-\d{2}-\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
/** Dates (YYYY-MM-DD) that are days of the calendar: 2026-02-30 is not (Date would roll it over). */
const realDates = new Map<string, boolean>();

/**
 * The UTC day (YYYY-MM-DD) of `toISOString()` text without building a Date (the ingest path asks
 * this of every event); undefined for any other text, which callers then read with Date.
 */
export function canonicalUtcDay(at: string): string | undefined {
  const m = CANONICAL_UTC.exec(at);
  if (!m) return undefined;
  const day = m[1]!;
  let real = realDates.get(day);
  if (real === undefined) {
    const d = new Date(`${day}T00:00:00.000Z`);
    real = !Number.isNaN(d.getTime()) && d.toISOString().startsWith(day);
    if (realDates.size >= 100_000) realDates.clear();
    realDates.set(day, real);
  }
  return real ? day : undefined;
}
