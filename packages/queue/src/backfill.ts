// Days whose roll-up partitions went stale because events arrived for them after the
// partitions' refresh window (Cube rebuilds only the last 7 days' partitions; older ones
// are built once). The ingest worker notes such days; the warming job drops their
// partitions and builds them again, so a backfill reaches dashboards within one warming period.
import type { Redis } from 'ioredis';
import { queuePrefix } from './index.ts';

/** Events older than this reach roll-ups only through a rebuild (the model's update_window is 7 days). */
export const ROLLUP_REFRESH_WINDOW_MS = 6 * 86_400_000;

const key = () => `${queuePrefix()}:rollups:backfilled-days`;

/** Notes the UTC days (YYYY-MM-DD) of events stored too far back for the incremental refresh. */
export async function noteBackfilledDays(redis: Redis, occurredAt: Iterable<string>, now = Date.now()): Promise<void> {
  const days = new Set<string>();
  for (const at of occurredAt) if (Date.parse(at) < now - ROLLUP_REFRESH_WINDOW_MS) days.add(at.slice(0, 10));
  if (days.size) await redis.sadd(key(), ...days);
}

/** Takes every noted day at once (later notes wait for the next run), sorted. */
export async function takeBackfilledDays(redis: Redis): Promise<string[]> {
  const [[, days]] = (await redis.multi().smembers(key()).del(key()).exec()) as [[unknown, string[]], unknown];
  return days.sort();
}
