// Dead letters: systemStatus shows a workspace's events the worker could not store, and an
// admin queues them again (replayDeadLetters) once the cause is fixed.
import type { Queue } from 'bullmq';
import { type Pool, type PoolClient, deadLetterSummary, takeDeadLetters, withTransaction } from '@spendgraph/db';
import { INGEST_JOB_EVENTS, INGEST_REPLAY_JOB, type IngestJobData, type IngestJobResult } from '@spendgraph/queue';
import type { IngestEvent } from '@spendgraph/schema';
import { changeDb } from '../audit.ts';
import { argumentError } from '../query/errors.ts';

export interface DeadLetterDeps {
  pool: Pool;
  ingest: Queue<IngestJobData, IngestJobResult>;
}

interface Ctx {
  workspaceId: string;
  /** The audited change's transaction (graphql/authorize.ts). */
  db?: PoolClient;
}

const MAX_IDS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function deadLetterResolvers(deps: DeadLetterDeps) {
  return {
    SystemStatus: {
      deadLetters: async (_: unknown, _a: unknown, c: Ctx) => {
        const s = await deadLetterSummary(deps.pool, c.workspaceId);
        return { count: s.count, oldestAt: s.oldestAt, recent: s.entries };
      },
    },
    Mutation: {
      replayDeadLetters: async (_: unknown, { eventIds }: { eventIds?: string[] | null }, c: Ctx) => {
        if (eventIds && eventIds.length > MAX_IDS) throw argumentError('INVALID_ARGUMENT', 'eventIds', `at most ${MAX_IDS} ids per call`);
        const bad = eventIds?.findIndex((id) => !UUID.test(id)) ?? -1;
        if (bad >= 0) throw argumentError('INVALID_ARGUMENT', `eventIds[${bad}]`, 'must be an event id (UUID)');
        // Taken in the transaction that queues them: if the queue is unavailable they stay.
        const queued = await withTransaction(changeDb(deps.pool, c), async (client) => {
          const events = (await takeDeadLetters(client, c.workspaceId, eventIds, MAX_IDS)) as IngestEvent[];
          const jobs = [];
          for (let i = 0; i < events.length; i += INGEST_JOB_EVENTS) {
            jobs.push({ name: INGEST_REPLAY_JOB, data: { workspaceId: c.workspaceId, events: events.slice(i, i + INGEST_JOB_EVENTS) } });
          }
          if (jobs.length) await deps.ingest.addBulk(jobs);
          return events.length;
        });
        return { queued };
      },
    },
  };
}
