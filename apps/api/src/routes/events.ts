// POST /v1/events: a JSON array or NDJSON batch of events (see ingest/accept-events.ts), or
// CloudEvents in structured or batch JSON mode (ingest/cloudevents.ts). POST /api/v1/events is the
// same route at OpenMeter's path, so its clients (LiteLLM's OpenMeter callback) need only the address.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CLOUDEVENTS_BATCH, CLOUDEVENTS_STRUCTURED, MAX_BATCH_EVENTS } from '@spendgraph/schema';
import { type Authenticate, authenticated } from '../auth.ts';
import { type IngestQueue, acceptEvents, sendAcceptResult } from '../ingest/accept-events.ts';
import { inCloudEventTerms, mapCloudEvents } from '../ingest/cloudevents.ts';
import { parseNdjson } from '../ndjson.ts';
import { decodeUtf8, strictUtf8Json } from '../utf8-body.ts';

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
  strictUtf8Json(app, [CLOUDEVENTS_STRUCTURED, CLOUDEVENTS_BATCH]);

  const options = { preHandler: authenticated(deps.authenticate) };
  const ingest = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.body;
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === CLOUDEVENTS_STRUCTURED || type === CLOUDEVENTS_BATCH) {
      const mapped = mapCloudEvents(body, type === CLOUDEVENTS_BATCH);
      if (!mapped.ok) return sendAcceptResult(reply, { status: 'invalid', issues: mapped.issues });
      const result = await acceptEvents(deps.queue, request.identity!, mapped.events, request.log);
      return sendAcceptResult(reply, inCloudEventTerms(result, mapped.envelopes));
    }
    if (!Array.isArray(body)) {
      return reply.code(400).send({
        error: 'invalid_request',
        message: `the body must be a JSON array of events (or NDJSON, one event per line), at most ${MAX_BATCH_EVENTS}`,
      });
    }
    return sendAcceptResult(reply, await acceptEvents(deps.queue, request.identity!, body, request.log));
  };
  app.post('/v1/events', options, ingest);
  app.post('/api/v1/events', options, ingest);
}
