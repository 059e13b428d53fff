// POST /v1/events: validate a batch, queue it, answer 202 with the ids.
// A 202 is sent only after Redis has the job, so an accepted event is never lost;
// when the queue cannot take it the caller gets 503 and should retry (ids make
// the retry safe).
import type { FastifyInstance } from 'fastify';
import type { Queue } from 'bullmq';
import { MAX_BATCH_EVENTS, parseEventBatch } from '@spendgraph/schema';
import type { IngestJobData, IngestJobResult } from '@spendgraph/queue';
import { type Authenticate, requireScope } from '../auth.ts';
import { parseNdjson } from '../ndjson.ts';

export function eventsRoutes(app: FastifyInstance, deps: { authenticate: Authenticate; queue: Queue<IngestJobData, IngestJobResult> }) {
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl'], { parseAs: 'string' }, (_req, body, done) => {
    const parsed = parseNdjson(body as string);
    if (parsed.ok) done(null, parsed.items);
    else done(Object.assign(new Error(parsed.message), { statusCode: 400 }));
  });

  app.post('/v1/events', { preHandler: requireScope(deps.authenticate, ['ingest', 'admin']) }, async (request, reply) => {
    const body = request.body;
    if (!Array.isArray(body)) {
      return reply.code(400).send({
        error: 'invalid_request',
        message: `the body must be a JSON array of events (or NDJSON, one event per line), at most ${MAX_BATCH_EVENTS}`,
      });
    }
    const result = parseEventBatch(body);
    if (!result.ok) {
      return reply.code(400).send({
        error: 'invalid_events',
        message: 'no event of this batch was accepted; fix the events listed and resend the batch',
        issues: result.issues,
      });
    }
    try {
      await deps.queue.add('batch', { workspaceId: request.identity!.workspaceId, events: result.events });
    } catch (err) {
      request.log.error({ err }, 'could not queue an ingest batch');
      return reply
        .code(503)
        .header('retry-after', '1')
        .send({ error: 'unavailable', message: 'the ingest queue is unavailable; nothing was accepted, retry the batch' });
    }
    return reply.code(202).send({ accepted: result.events.length, ids: result.events.map((e) => e.event_id) });
  });
}
