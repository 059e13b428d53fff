// The one way events enter Spendgraph over HTTP: validate a batch, queue it, answer.
// Every ingest route (JSON/NDJSON events, OTLP, proxies) ends here, so a 202 always
// means Redis holds the job and a bad event always gets the same 400.
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { Queue } from 'bullmq';
import { type BatchIssue, type Restriction, parseEventBatch } from '@spendgraph/schema';
import { INGEST_BATCH_JOB, INGEST_JOB_EVENTS, type IngestJobData, type IngestJobResult } from '@spendgraph/queue';
import { countAccepted } from '../metrics.ts';

export type IngestQueue = Queue<IngestJobData, IngestJobResult>;

export type AcceptResult =
  | { status: 'accepted'; ids: string[] }
  | { status: 'invalid'; issues: BatchIssue[] }
  | { status: 'restricted'; issues: BatchIssue[] }
  | { status: 'unavailable' };

/** Who sends: the workspace, and a restricted key's values (stamped on its events; another value is refused). */
export interface Sender {
  workspaceId: string;
  restriction?: Restriction;
}

export async function acceptEvents(queue: IngestQueue, sender: Sender, items: unknown[], log: FastifyBaseLogger): Promise<AcceptResult> {
  const { workspaceId } = sender;
  const result = parseEventBatch(items, sender.restriction);
  if (!result.ok) {
    const restricted = result.issues.filter((i) => i.code === 'restricted');
    return restricted.length ? { status: 'restricted', issues: restricted } : { status: 'invalid', issues: result.issues };
  }
  try {
    // One round trip for all of the batch's jobs. If Redis fails half-way the caller gets 503 and
    // resends; the jobs that did land carry the same event ids, so nothing is stored twice.
    const jobs = [];
    for (let i = 0; i < result.events.length; i += INGEST_JOB_EVENTS) {
      jobs.push({ name: INGEST_BATCH_JOB, data: { workspaceId, events: result.events.slice(i, i + INGEST_JOB_EVENTS) } });
    }
    await queue.addBulk(jobs);
  } catch (err) {
    log.error({ err }, 'could not queue an ingest batch');
    return { status: 'unavailable' };
  }
  countAccepted(result.events.length);
  return { status: 'accepted', ids: result.events.map((e) => e.event_id) };
}

export function sendAcceptResult(reply: FastifyReply, result: AcceptResult) {
  switch (result.status) {
    case 'accepted':
      return reply.code(202).send({ accepted: result.ids.length, ids: result.ids });
    case 'invalid':
      return reply.code(400).send({
        error: 'invalid_events',
        message: 'no event of this batch was accepted; fix the events listed and resend the batch',
        issues: result.issues,
      });
    case 'restricted':
      return reply.code(403).send({
        error: 'forbidden',
        field: result.issues[0]!.path,
        message: `${result.issues[0]!.path}: ${result.issues[0]!.message}; no event of this batch was accepted`,
        issues: result.issues,
      });
    case 'unavailable':
      return reply
        .code(503)
        .header('retry-after', '1')
        .send({ error: 'unavailable', message: 'the ingest queue is unavailable; nothing was accepted, retry the batch' });
  }
}
