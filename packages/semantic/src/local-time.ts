// What a local time in a query's date range means: the instant a wall clock in the query's time
// zone shows it. Cube 1.7.43 (@cubejs-backend/shared localTimestampToUtc, used for every range
// filter and roll-up partition) takes the zone's offset at the reading read as UTC instead,
// which is an hour off in the hours after a DST change, and leaves some instants with no
// reading at all: Los Angeles on 1 Nov 2026, '08:33' became 17:33Z (not 16:33Z) and nothing
// named 16:00-17:00Z. We replace it, once per process, by luxon's reading of the zone, the one
// @spendgraph/periods uses: a time in a repeated hour is its second pass, one in a skipped
// hour the hour after.
import { createRequire } from 'node:module';
import { DateTime } from 'luxon';

const require = createRequire(import.meta.url);

type ToUtc = (timezone: string, timestampFormat: string, timestamp?: string) => string | null;

/** A local reading (ms, optionally µs) in `timezone` as the UTC reading of the same instant. */
export function utcReading(timezone: string, timestamp: string): string | undefined {
  const t = DateTime.fromISO(timestamp.slice(0, 23), { zone: timezone });
  return t.isValid ? t.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS") + timestamp.slice(23) : undefined;
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
    const utc = timestamp && (timestamp.length === 23 || timestamp.length === 26) ? utcReading(timezone, timestamp) : undefined;
    return utc ? cubeToUtc('UTC', timestampFormat, utc) : cubeToUtc(timezone, timestampFormat, timestamp);
  };
}
