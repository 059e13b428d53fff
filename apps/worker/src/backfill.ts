// Back-filled history gets anomaly detection too: the schedule scans only today and
// yesterday, so a batch storing events of older days queues detection of those days
// (UTC days; the detection job maps them onto its windows). One job per workspace and
// day within a minute, run a minute later: a back-fill of many batches is detected once
// its events are in.
import type { Queue } from 'bullmq';
import type { UsageEventRow } from '@spendgraph/db';
import { DETECT_ANOMALIES_JOB, type DetectAnomaliesJobData } from '@spendgraph/queue';

const DAY_MS = 86_400_000;
/** Days the scheduled detection covers (today and yesterday, with a day's margin for time zones). */
const SCHEDULED_DAYS = 2;
export const BACKFILL_DELAY_MS = 60_000;

/** The UTC days (ISO dates) of rows older than the scheduled scans. */
export function backfilledDays(rows: Pick<UsageEventRow, 'occurred_at'>[], now: Date): string[] {
  const horizon = Math.floor(now.getTime() / DAY_MS) - SCHEDULED_DAYS;
  const days = new Set<number>();
  for (const r of rows) {
    const day = Math.floor(Date.parse(r.occurred_at) / DAY_MS);
    if (day < horizon) days.add(day);
  }
  return [...days].sort((a, b) => a - b).map((d) => new Date(d * DAY_MS).toISOString().slice(0, 10));
}

export async function queueBackfillDetection(queue: Queue, workspaceId: string, rows: Pick<UsageEventRow, 'occurred_at'>[], now: Date): Promise<number> {
  const days = backfilledDays(rows, now);
  for (const day of days) {
    const from = `${day}T00:00:00.000Z`;
    const data: DetectAnomaliesJobData = { workspaceId, from, to: new Date(Date.parse(from) + DAY_MS).toISOString() };
    await queue.add(DETECT_ANOMALIES_JOB, data, { delay: BACKFILL_DELAY_MS, deduplication: { id: `backfill-${workspaceId}-${day}`, ttl: BACKFILL_DELAY_MS } });
  }
  return days.length;
}
