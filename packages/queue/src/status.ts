// What operators ask of the queues: backlog per queue, and when each scheduled
// job last succeeded. Workers record every run of a scheduled job in one Redis
// hash (BullMQ keeps only a short history of finished jobs); the API reads it.
import { Queue } from 'bullmq';
import { type Redis, queuePrefix } from './connection.ts';
import { ALL_QUEUES } from './registry.ts';

export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

export interface JobRun {
  at: string;
  ms: number;
  error?: string;
}

const runsKey = () => `${queuePrefix()}:scheduled-runs`;
const field = (queue: string, scheduler: string, outcome: 'ok' | 'failed') => `${queue}|${scheduler}|${outcome}`;

/** Notes a finished run of a scheduled job (a job its scheduler created: `repeatJobKey` set). */
export async function recordScheduledRun(redis: Redis, queue: string, scheduler: string, outcome: 'ok' | 'failed', run: JobRun) {
  await redis.hset(runsKey(), field(queue, scheduler, outcome), JSON.stringify(run));
}

export interface QueueStatus {
  name: string;
  counts: Record<(typeof JOB_STATES)[number], number>;
}

export interface ScheduleStatus {
  queue: string;
  name: string;
  every: number | null;
  pattern: string | null;
  timezone: string | null;
  nextRunAt: string | null;
  lastSuccess: JobRun | null;
  lastFailure: JobRun | null;
}

/** Reads queues through one connection; the Queue objects are made once. */
export function queueInspector(connection: Redis) {
  const queues = ALL_QUEUES.map((name) => new Queue(name, { connection, prefix: queuePrefix() }));
  return {
    async queues(): Promise<QueueStatus[]> {
      return Promise.all(queues.map(async (q) => ({ name: q.name, counts: (await q.getJobCounts(...JOB_STATES)) as QueueStatus['counts'] })));
    },
    async schedules(): Promise<ScheduleStatus[]> {
      const runs = await connection.hgetall(runsKey());
      const run = (queue: string, name: string, outcome: 'ok' | 'failed') => {
        const raw = runs[field(queue, name, outcome)];
        return raw ? (JSON.parse(raw) as JobRun) : null;
      };
      const perQueue = await Promise.all(queues.map(async (q) => (await q.getJobSchedulers(0, -1, true)).map((s) => ({
        queue: q.name,
        name: s.key,
        every: s.every ?? null,
        pattern: s.pattern ?? null,
        timezone: s.tz ?? null,
        nextRunAt: s.next ? new Date(s.next).toISOString() : null,
        lastSuccess: run(q.name, s.key, 'ok'),
        lastFailure: run(q.name, s.key, 'failed'),
      }))));
      return perQueue.flat();
    },
    close: () => Promise.all(queues.map((q) => q.close())),
  };
}

export type QueueInspector = ReturnType<typeof queueInspector>;
