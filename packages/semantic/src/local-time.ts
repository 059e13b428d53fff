// What a local time in a query's date range means: the instant a wall clock in the query's time
// zone shows it. Cube 1.7.43 (@cubejs-backend/shared localTimestampToUtc, used for every range
// filter and roll-up partition) takes the zone's offset at the reading read as UTC instead,
// which is an hour off in the hours after a DST change, and leaves some instants with no
// reading at all: Los Angeles on 1 Nov 2026, '08:33' became 17:33Z (not 16:33Z) and nothing
// named 16:00-17:00Z. We replace it, once per process, by luxon's reading of the zone, the one
// @spendgraph/periods uses: a time in a repeated hour is its second pass, one in a skipped
// hour the hour after. A query that means the first pass gives the instant itself (with its
// offset); the planner pins its reading to it while Cube plans (withFirstPasses).
import { createRequire } from 'node:module';
import { DateTime } from 'luxon';

const require = createRequire(import.meta.url);

type ToUtc = (timezone: string, timestampFormat: string, timestamp?: string) => string | null;

/** A local reading (ms, optionally µs) in `timezone` as the UTC reading of the same instant. */
export function utcReading(timezone: string, timestamp: string): string | undefined {
  const t = DateTime.fromISO(timestamp.slice(0, 23), { zone: timezone });
  return t.isValid ? t.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS") + timestamp.slice(23) : undefined;
}

/**
 * Readings (by zone) that name the first pass of a repeated hour: the query being planned gave
 * those instants, and a reading alone would say the second pass (planning.ts).
 */
let firstPasses: ReadonlyMap<string, string> = new Map();
const passKey = (timezone: string, reading: string) => `${timezone}|${reading.slice(0, 23)}`;

/**
 * The local reading of an instant (ISO with an offset) in `timezone`, and, when that reading
 * would be read back as another instant (the first pass of a repeated hour), the instant's own UTC reading.
 */
export function readingOf(timezone: string, instant: string): { reading: string; firstPass?: string } | undefined {
  const t = DateTime.fromISO(instant, { setZone: false }).setZone(timezone);
  if (!t.isValid) return undefined;
  const reading = t.toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
  const utc = t.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
  return utcReading(timezone, reading) === utc ? { reading } : { reading, firstPass: utc };
}

/** Runs `plan` (synchronous: Cube's planner) with these readings pinned to their first pass. */
export function withFirstPasses<T>(pinned: ReadonlyArray<[timezone: string, reading: string, utc: string]>, plan: () => T): T {
  if (!pinned.length) return plan();
  const before = firstPasses;
  firstPasses = new Map(pinned.map(([zone, reading, utc]) => [passKey(zone, reading), utc]));
  try {
    return plan();
  } finally {
    firstPasses = before;
  }
}

let installed = false;

/** Makes Cube convert local readings with the zone's real offset (Cube's own formatting of the result is kept). */
export function installLocalTimeFix() {
  if (installed) return;
  installed = true;
  // The package index re-exports this module's bindings through getters: every caller sees the replacement.
  const time = require('@cubejs-backend/shared/dist/src/time.js') as { localTimestampToUtc: ToUtc };
  const cubeToUtc = time.localTimestampToUtc;
  time.localTimestampToUtc = (timezone, timestampFormat, timestamp) => {
    // Cube's fast path (and its bug) is for readings of 23 or 26 characters; others it reads with moment-timezone, correctly.
    const fast = timestamp && (timestamp.length === 23 || timestamp.length === 26);
    const pinned = fast && firstPasses.get(passKey(timezone, timestamp));
    const utc = pinned ? `${pinned}${timestamp.slice(23)}` : fast ? utcReading(timezone, timestamp) : undefined;
    return utc ? cubeToUtc('UTC', timestampFormat, utc) : cubeToUtc(timezone, timestampFormat, timestamp);
  };
}
