// Ingest: the contract between the API (producer) and the worker (consumer) of event batches.
import type { Queue, QueueOptions } from 'bullmq';
import { z } from 'zod';
import type { IngestEvent } from '@spendgraph/schema';
import type { Redis } from '../connection.ts';
import { defineQueue, openQueue } from '../define.ts';

/** A batch accepted over HTTP. */
export const INGEST_BATCH_JOB = 'batch';
/** Dead letters sent again by an operator (replayDeadLetters). */
export const INGEST_REPLAY_JOB = 'replay';

export const ingestJobData = z.object({
  workspaceId: z.string().min(1),
  // Validated at the API's edge (packages/schema); each event is not parsed again per job.
  events: z.array(z.custom<IngestEvent>((e) => typeof e === 'object' && e !== null)),
});
export type IngestJobData = z.infer<typeof ingestJobData>;

export interface IngestJobResult {
  inserted: number;
  duplicates: number;
  /** Events that could not be stored (ingest_dead_letters); the rest of the batch was. */
  deadLettered?: number;
}

/**
 * Events per ingest job. A request of up to 10,000 events becomes several jobs:
 * the worker then holds less at a time (its heap grows with job size), rows
 * become visible sooner, and a retry redoes less.
 */
export const INGEST_JOB_EVENTS = 1_000;

export const INGEST_JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 500 },
  // A stored batch lives on in the database; keeping its payload (up to ~7 MB) in Redis
  // would only fill memory. The last few stay for inspection.
  removeOnComplete: { count: 100 },
  // Failed jobs stay in Redis with their reason until someone looks at them.
  removeOnFail: false,
} as const;

export const INGEST_QUEUE = 'ingest';
export const ingestQueue = defineQueue({
  name: INGEST_QUEUE,
  jobs: { [INGEST_BATCH_JOB]: ingestJobData, [INGEST_REPLAY_JOB]: ingestJobData },
  defaultJobOptions: INGEST_JOB_OPTIONS,
});

export const createIngestQueue = (connection: Redis, options: Partial<QueueOptions> = {}): Queue<IngestJobData, IngestJobResult> =>
  openQueue(ingestQueue, connection, options);
