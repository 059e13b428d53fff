// The contract between the API (producer) and the worker (consumer) of ingest jobs.
import { Queue, type QueueOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { IngestEvent } from '@spendgraph/schema';

export type { Redis } from 'ioredis';

export const INGEST_QUEUE = 'ingest';

export interface IngestJobData {
  workspaceId: string;
  events: IngestEvent[];
}

export interface IngestJobResult {
  inserted: number;
  duplicates: number;
}

/** Key prefix of every queue; tests and benchmarks use their own to stay apart. */
export function queuePrefix(): string {
  return process.env.QUEUE_PREFIX ?? 'spendgraph';
}

/**
 * Workers need blocking commands that wait for Redis to come back
 * (maxRetriesPerRequest: null). Producers must instead fail fast, so the API
 * can answer 503 rather than hold (and possibly lose) a request it cannot queue.
 */
export function redisConnection(url: string, role: 'producer' | 'worker', extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    ...(role === 'worker' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, enableOfflineQueue: false }),
    ...extra,
  });
}

export const INGEST_JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 500 },
  // A stored batch lives on in the database; keeping its payload (up to ~7 MB) in Redis
  // would only fill memory. The last few stay for inspection.
  removeOnComplete: { count: 100 },
  // Failed jobs stay in Redis with their reason until someone looks at them.
  removeOnFail: false,
} as const;

export function createIngestQueue(connection: Redis, options: Partial<QueueOptions> = {}): Queue<IngestJobData, IngestJobResult> {
  return new Queue<IngestJobData, IngestJobResult>(INGEST_QUEUE, {
    connection,
    prefix: queuePrefix(),
    defaultJobOptions: INGEST_JOB_OPTIONS,
    ...options,
  });
}

/** Scheduled upkeep (roll-up warming, later budget checks and reports): small, periodic jobs. */
export const MAINTENANCE_QUEUE = 'maintenance';
export const WARM_ROLLUPS_JOB = 'warm-rollups';

export interface WarmRollupsResult {
  built: number;
  ms: number;
}

export function createMaintenanceQueue(connection: Redis, options: Partial<QueueOptions> = {}): Queue {
  return new Queue(MAINTENANCE_QUEUE, {
    connection,
    prefix: queuePrefix(),
    // A failed run is retried by the next tick of its schedule; a short history is enough.
    defaultJobOptions: { removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } },
    ...options,
  });
}
