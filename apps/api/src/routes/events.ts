// POST /v1/events: a JSON array or NDJSON batch of events (see ingest/accept-events.ts).
import type { FastifyInstance } from 'fastify';
import { MAX_BATCH_EVENTS } from '@spendgraph/schema';
import { type Authenticate, authenticated } from '../auth.ts';
import { type IngestQueue, acceptEvents, sendAcceptResult } from '../ingest/accept-events.ts';
import { parseNdjson } from '../ndjson.ts';
import { decodeUtf8 } from '../utf8-body.ts';

export function eventsRoutes(app: FastifyInstance, deps: { authenticate: Authenticate; queue: IngestQueue }) {
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl'], { parseAs: 'buffer' }, (_req, body, done) => {
    let parsed;
    try {
      parsed = parseNdjson(decodeUtf8(body as Buffer));
    } catch (err) {
      return done(err as Error);
    }
    if (parsed.ok) done(null, parsed.items);
    else done(Object.assign(new Error(parsed.message), { statusCode: 400 }));
  });

  app.post('/v1/events', { preHandler: authenticated(deps.authenticate) }, async (request, reply) => {
    const body = request.body;
    if (!Array.isArray(body)) {
      return reply.code(400).send({
        error: 'invalid_request',
        message: `the body must be a JSON array of events (or NDJSON, one event per line), at most ${MAX_BATCH_EVENTS}`,
      });
    }
    return sendAcceptResult(reply, await acceptEvents(deps.queue, request.identity!, body, request.log));
  });
}
